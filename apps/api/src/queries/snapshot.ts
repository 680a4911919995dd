import {
  localDayStart, METRICS, metricValue, minuteStart, MINUTE_MS, type CaseCounts, type RegionTree,
} from '@city/metrics'
import type { CaseSummary, ChildValues, MetricValues, RegionSnapshot } from '@city/metrics/wire'
import type { Queryable } from '@city/platform'
import { loadPartials, mergeByMetric, type PartialRow } from './partials.js'
import { caseCounts, recentCases } from './cases.js'

export interface SnapshotOptions {
  nowMs: number
  timeZone: string
  staleAfterMs: number
}

const TREND_WINDOW_MIN = 60
/** Metrics the cockpit draws as 60-minute trends. */
export const TREND_METRICS = ['traffic.tti', 'traffic.flow', 'traffic.speed', 'env.pm25', 'env.noise', 'cases.reported'] as const

/**
 * The live view of a region and its children, computed from stored partials: "current" merges the
 * metric's trailing window of minute buckets, "today" the local day's bucket, so every number on screen
 * is a merge of exactly the stored rows.
 */
export async function loadSnapshot(db: Queryable, tree: RegionTree, regionId: string, options: SnapshotOptions): Promise<RegionSnapshot> {
  const { nowMs, timeZone, staleAfterMs } = options
  const children = tree.children(regionId).map((c) => c.id)
  const regions = [regionId, ...children]
  const endMs = minuteStart(nowMs) + MINUTE_MS
  const dayMs = localDayStart(nowMs, timeZone)
  const [minutes, days, counts, cases, state] = await Promise.all([
    loadPartials(db, 'agg_1m', regions, null, endMs - TREND_WINDOW_MIN * MINUTE_MS, endMs),
    loadPartials(db, 'agg_1d', regions, null, dayMs, dayMs + 1),
    caseCounts(db, regions, nowMs),
    recentCases(db, regionId, nowMs, 20),
    db.query<{ version: number, committed_at: Date }>(`select version::float8 as version, committed_at from pipeline_state where name = 'main'`),
  ])
  const valuesOf = (region: string) => regionValues(
    minutes.filter((r) => r.region === region), days.filter((r) => r.region === region), counts.get(region), endMs,
  )
  const eventTime = latestBucket(minutes, regionId)
  const row = state.rows[0]
  return {
    region: regionId,
    version: row ? Number(row.version) : 0,
    asOf: new Date(nowMs).toISOString(),
    committedAt: row ? new Date(row.committed_at).toISOString() : null,
    eventTime: eventTime === null ? null : new Date(eventTime).toISOString(),
    stale: eventTime === null || nowMs - eventTime > staleAfterMs,
    values: valuesOf(regionId),
    children: children.map((id): ChildValues => {
      const t = latestBucket(minutes, id)
      return { region: id, eventTime: t === null ? null : new Date(t).toISOString(), values: valuesOf(id) }
    }),
    trend: trendOf(minutes.filter((r) => r.region === regionId), endMs),
    cases: cases satisfies CaseSummary[],
  }
}

function regionValues(minutes: PartialRow[], days: PartialRow[], counts: CaseCounts | undefined, endMs: number): MetricValues {
  const today = mergeByMetric(days)
  const caseState = counts ?? { open: 0, overdue: 0 }
  const windows = new Map<number, ReturnType<typeof mergeByMetric>>()
  const out: MetricValues = {}
  for (const metric of METRICS) {
    let current = windows.get(metric.currentWindowMin)
    if (!current) {
      const fromMs = endMs - metric.currentWindowMin * MINUTE_MS
      current = mergeByMetric(minutes.filter((r) => r.t >= fromMs))
      windows.set(metric.currentWindowMin, current)
    }
    out[metric.id] = { current: metricValue(metric, current, caseState), today: metricValue(metric, today, caseState) }
  }
  return out
}

function trendOf(minutes: PartialRow[], endMs: number): RegionSnapshot['trend'] {
  const byMinute = new Map<number, PartialRow[]>()
  for (const r of minutes) {
    byMinute.set(r.t, [...(byMinute.get(r.t) ?? []), r])
  }
  const trend: RegionSnapshot['trend'] = {}
  for (const id of TREND_METRICS) {
    const metric = METRICS.find((m) => m.id === id)!
    trend[id] = Array.from({ length: TREND_WINDOW_MIN }, (_, i) => {
      const t = endMs - (TREND_WINDOW_MIN - i) * MINUTE_MS
      const rows = byMinute.get(t)
      return [t, rows ? metricValue(metric, mergeByMetric(rows)) : null]
    })
  }
  return trend
}

/** Start of the newest minute bucket holding data for the region, or null. */
function latestBucket(rows: PartialRow[], region: string): number | null {
  let latest: number | null = null
  for (const r of rows) {
    if (r.region === region && (latest === null || r.t > latest)) {
      latest = r.t
    }
  }
  return latest
}
