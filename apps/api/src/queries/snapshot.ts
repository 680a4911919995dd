import {
  findMetric, inputsOf, localDayStart, METRICS, metricValue, minuteStart, MINUTE_MS, type CaseCounts, type RegionTree,
} from '@city/metrics'
import type { CaseSummary, ChildValues, MetricValues, RegionSnapshot } from '@city/metrics/wire'
import type { Queryable } from '@city/platform'
import { loadPartials, loadWindows, mergeByMetric, type PartialRow } from './partials.js'
import { caseCounts, recentCases } from './cases.js'

export interface SnapshotOptions {
  nowMs: number
  timeZone: string
  staleAfterMs: number
}

const TREND_WINDOW_MIN = 60
/** Metrics the cockpit draws as 60-minute trends. */
export const TREND_METRICS = ['traffic.tti', 'traffic.flow', 'traffic.speed', 'env.pm25', 'env.aqi', 'env.noise', 'cases.reported'] as const
const TREND_INPUTS = [...new Set(TREND_METRICS.flatMap((id) => inputsOf(findMetric(id)!)))]

/** Each stored metric with every "current" window it is read over (its own, or a derived metric's). */
const CURRENT_WINDOWS: [string, number][] = [...new Map(METRICS.flatMap((m) =>
  inputsOf(m).map((input): [string, [string, number]] => [`${input}|${m.currentWindowMin}`, [input, m.currentWindowMin]]))).values()]

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
  const [windows, trendRows, days, counts, cases, freshness] = await Promise.all([
    loadWindows(db, regions, CURRENT_WINDOWS, endMs),
    // Twice the window: a trend point may merge the trailing window before it (AQI: hourly means).
    loadPartials(db, 'agg_1m', [regionId], TREND_INPUTS, endMs - 2 * TREND_WINDOW_MIN * MINUTE_MS, endMs),
    loadPartials(db, 'agg_1d', regions, null, dayMs, dayMs + 1),
    caseCounts(db, regions, nowMs),
    recentCases(db, regionId, nowMs, 20),
    regionFreshness(db, regions),
  ])
  const valuesOf = (region: string) => regionValues(
    windows.filter((r) => r.region === region), days.filter((r) => r.region === region), counts.get(region),
  )
  const own = freshness.get(regionId)
  return {
    region: regionId,
    version: own?.version ?? 0,
    asOf: new Date(nowMs).toISOString(),
    committedAt: own?.committedAt ?? null,
    eventTime: own?.eventTime ?? null,
    // Nothing heard, or nothing for too long: either way the numbers are not live.
    stale: own?.eventTime == null || nowMs - Date.parse(own.eventTime) > staleAfterMs,
    values: valuesOf(regionId),
    children: children.map((id): ChildValues => ({ region: id, eventTime: freshness.get(id)?.eventTime ?? null, values: valuesOf(id) })),
    trend: trendOf(trendRows, endMs),
    cases: cases satisfies CaseSummary[],
  }
}

function regionValues(windows: (PartialRow & { windowMin: number })[], days: PartialRow[], counts: CaseCounts | undefined): MetricValues {
  const today = mergeByMetric(days)
  const caseState = counts ?? { open: 0, overdue: 0 }
  const byWindow = new Map<number, ReturnType<typeof mergeByMetric>>()
  const out: MetricValues = {}
  for (const metric of METRICS) {
    let current = byWindow.get(metric.currentWindowMin)
    if (!current) {
      current = mergeByMetric(windows.filter((r) => r.windowMin === metric.currentWindowMin))
      byWindow.set(metric.currentWindowMin, current)
    }
    out[metric.id] = { current: metricValue(metric, current, caseState), today: metricValue(metric, today, caseState) }
  }
  return out
}

/**
 * One point per minute of the last hour. A point is the minute's own value, except for AQI, which HJ 633
 * defines on 1-hour means: its point merges the 60 minutes ending with that minute.
 */
function trendOf(minutes: PartialRow[], endMs: number): RegionSnapshot['trend'] {
  const trend: RegionSnapshot['trend'] = {}
  for (const id of TREND_METRICS) {
    const metric = findMetric(id)!
    const spanMs = (metric.kind === 'aqi' ? metric.currentWindowMin : 1) * MINUTE_MS
    trend[id] = Array.from({ length: TREND_WINDOW_MIN }, (_, i) => {
      const t = endMs - (TREND_WINDOW_MIN - i) * MINUTE_MS
      const rows = minutes.filter((r) => r.t > t - spanMs && r.t <= t)
      return [t, rows.length > 0 ? metricValue(metric, mergeByMetric(rows)) : null]
    })
  }
  return trend
}

interface Freshness {
  version: number
  eventTime: string | null
  committedAt: string
}

async function regionFreshness(db: Queryable, regions: string[]): Promise<Map<string, Freshness>> {
  const { rows } = await db.query<{ region: string, version: number, event_time: Date | null, committed_at: Date }>(
    'select region, version::float8 as version, event_time, committed_at from region_state where region = any($1::text[])', [regions],
  )
  return new Map(rows.map((r) => [r.region, {
    version: Number(r.version),
    eventTime: r.event_time ? new Date(r.event_time).toISOString() : null,
    committedAt: new Date(r.committed_at).toISOString(),
  }]))
}
