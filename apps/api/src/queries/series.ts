import { findMetric, HOUR_MS, inputsOf, metricValue, MINUTE_MS } from '@city/metrics'
import type { SeriesResponse, SeriesStep } from '@city/metrics/wire'
import type { Queryable } from '@city/platform'
import { loadPartials, mergeByMetric, type PartialRow } from './partials.js'

export const STEP_MS: Record<SeriesStep, number> = { '1m': MINUTE_MS, '1h': HOUR_MS }
const TABLE = { '1m': 'agg_1m', '1h': 'agg_1h' } as const

/** One value per step in [from, to): each point merges the stored partials of its bucket. */
export async function loadSeries(db: Queryable, q: { metric: string, region: string, fromMs: number, toMs: number, step: SeriesStep }): Promise<SeriesResponse> {
  const metric = findMetric(q.metric)!
  const stepMs = STEP_MS[q.step]
  const fromMs = q.fromMs - (q.fromMs % stepMs)
  const rows = await loadPartials(db, TABLE[q.step], [q.region], inputsOf(metric), fromMs, q.toMs)
  const byBucket = new Map<number, PartialRow[]>()
  for (const r of rows) {
    byBucket.set(r.t, [...(byBucket.get(r.t) ?? []), r])
  }
  const points: SeriesResponse['points'] = []
  for (let t = fromMs; t < q.toMs; t += stepMs) {
    const bucket = byBucket.get(t)
    points.push({ t: new Date(t).toISOString(), value: bucket ? metricValue(metric, mergeByMetric(bucket)) : null })
  }
  return { metric: q.metric, region: q.region, step: q.step, from: new Date(fromMs).toISOString(), to: new Date(q.toMs).toISOString(), points }
}
