import { inputsOf, metricValue, type MetricDef } from '@city/metrics'
import type { SeriesCompare, SeriesPoint, SeriesResponse, SeriesStep } from '@city/metrics/wire'
import type { Db } from '@city/platform'
import { addSteps, bucketSql, bucketStarts, mergeGroups, shiftLocal, STEP_SOURCE } from './buckets.js'
import { mergeByMetric, type PartialRow } from './partials.js'

export interface SeriesQuery {
  metric: MetricDef
  region: string
  fromMs: number
  toMs: number
  step: SeriesStep
  timeZone: string
  compare?: SeriesCompare | undefined
}

/**
 * One value per step from the bucket holding from up to (excluding) to: each point merges the stored
 * partials of its whole bucket. With `compare`, each point also gets the value of its bucket shifted back.
 */
export async function loadSeries(db: Db, q: SeriesQuery): Promise<SeriesResponse> {
  const starts = bucketStarts(q.fromMs, q.toMs, q.step, q.timeZone)
  const fromMs = starts[0]!
  const endMs = addSteps(starts.at(-1)!, q.step, 1, q.timeZone)
  const values = await loadBucketValues(db, q, fromMs, endMs)
  const base = { metric: q.metric.id, region: q.region, step: q.step, from: iso(fromMs), to: iso(q.toMs) }
  if (!q.compare) {
    return { ...base, points: starts.map((t) => ({ t: iso(t), value: values.get(t) ?? null })) }
  }
  const shift = compareShift(q.compare, q.step, starts.length, q.timeZone)
  const before = await loadBucketValues(db, q, shift(fromMs), shift(endMs))
  const points: SeriesPoint[] = starts.map((t) => ({ t: iso(t), value: values.get(t) ?? null, compare: before.get(shift(t)) ?? null }))
  return { ...base, compare: q.compare, compareFrom: iso(shift(fromMs)), compareTo: iso(shift(q.toMs)), points }
}

/**
 * Where a point's comparison bucket starts: prev moves back by the whole range (its number of steps),
 * week by 7 local days, year by one calendar year at the same local wall time.
 */
export function compareShift(compare: SeriesCompare, step: SeriesStep, steps: number, timeZone: string): (ms: number) => number {
  switch (compare) {
    case 'prev':
      return (ms) => addSteps(ms, step, -steps, timeZone)
    case 'week':
      return (ms) => shiftLocal(ms, { days: -7 }, timeZone)
    case 'year':
      return (ms) => shiftLocal(ms, { years: -1 }, timeZone)
  }
}

/** The metric's value per bucket start (epoch ms) over [fromMs, endMs), merged in the database. */
async function loadBucketValues(db: Db, q: SeriesQuery, fromMs: number, endMs: number): Promise<Map<number, number | null>> {
  const rows = await mergeGroups(db, {
    table: STEP_SOURCE[q.step],
    regions: [q.region],
    metrics: inputsOf(q.metric),
    fromMs,
    toMs: endMs,
    groupSql: (bind) => `extract(epoch from ${bucketSql(db.engine, q.step, bind, { timeZone: q.timeZone, originMs: fromMs })})::float8 * 1000`,
  })
  const byBucket = new Map<number, PartialRow[]>()
  for (const row of rows) {
    byBucket.set(row.t, [...(byBucket.get(row.t) ?? []), row])
  }
  return new Map([...byBucket].map(([t, bucket]) => [t, metricValue(q.metric, mergeByMetric(bucket))]))
}

function iso(ms: number): string {
  return new Date(ms).toISOString()
}
