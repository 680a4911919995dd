import {
  findMetric, inputsOf, localDayStart, METRICS, metricValue, minuteStart, MINUTE_MS, type CaseCounts, type Partial, type RegionTree,
} from '@city/metrics'
import type { CaseSummary, ChildValues, MetricValues, RegionSnapshot } from '@city/metrics/wire'
import type { Queryable } from '@city/platform'
import { loadPartials, mergeByMetric, type PartialRow } from './partials.js'
import { caseCounts, recentCases } from './cases.js'
import { groupMinutes, loadMinutes, mergeRange, type MinuteSeries } from './minutes.js'

export interface SnapshotOptions {
  nowMs: number
  timeZone: string
  staleAfterMs: number
}

const TREND_WINDOW_MIN = 60
const RECENT_CASES = 20
/** Metrics the cockpit draws as 60-minute trends. */
export const TREND_METRICS = ['traffic.tti', 'traffic.flow', 'traffic.speed', 'env.pm25', 'env.aqi', 'env.noise', 'cases.reported'] as const

/** Minutes a trend point merges: its own, except AQI, which HJ 633 defines on 1-hour means. */
const trendSpanMin = (id: string) => {
  const metric = findMetric(id)!
  return metric.kind === 'aqi' ? metric.currentWindowMin : 1
}

/** Per stored metric, how many minutes before a snapshot's end its numbers read: current windows and trend points. */
const HORIZON_MIN = new Map<string, number>()
const needs = (input: string, minutes: number) => HORIZON_MIN.set(input, Math.max(HORIZON_MIN.get(input) ?? 0, minutes))
METRICS.forEach((m) => inputsOf(m).forEach((input) => needs(input, m.currentWindowMin)))
TREND_METRICS.forEach((id) => inputsOf(findMetric(id)!).forEach((input) => needs(input, TREND_WINDOW_MIN + trendSpanMin(id) - 1)))

/** A snapshot computed at nowMs covers the minutes before this (the current minute included). */
export const snapshotEndMs = (nowMs: number) => minuteStart(nowMs) + MINUTE_MS

/** The first minute bucket of each stored metric that a snapshot ending at endMs reads. */
export function minuteStarts(endMs: number): Map<string, number> {
  return new Map([...HORIZON_MIN].map(([metric, minutes]) => [metric, endMs - minutes * MINUTE_MS]))
}

/** Each room and its children, once. */
export function regionsOf(tree: RegionTree, rooms: readonly string[]): string[] {
  return [...new Set(rooms.flatMap((room) => [room, ...tree.children(room).map((c) => c.id)]))]
}

/** The rooms not inside another of them: every room and child lies in one of these. */
function outermost(tree: RegionTree, rooms: readonly string[]): string[] {
  const set = new Set(rooms)
  return [...set].filter((room) => !tree.get(room)!.lineage.slice(1).some((ancestor) => set.has(ancestor)))
}

interface Freshness {
  version: number
  eventTime: string | null
  committedAt: string
}

/** What snapshots read besides minute partials; cheap enough to read fresh every time. */
export interface SnapshotState {
  /** Today's (local day) partials per region. */
  days: Map<string, PartialRow[]>
  counts: Map<string, CaseCounts>
  cases: Map<string, CaseSummary[]>
  freshness: Map<string, Freshness>
}

/** The state of some rooms (and their children), one statement per kind for all of them. */
export async function loadSnapshotState(db: Queryable, tree: RegionTree, rooms: string[], options: SnapshotOptions): Promise<SnapshotState> {
  const regions = regionsOf(tree, rooms)
  const dayMs = localDayStart(options.nowMs, options.timeZone)
  const [days, counts, cases, freshness] = await Promise.all([
    loadPartials(db, 'agg_1d', regions, null, dayMs, dayMs + 1),
    caseCounts(db, regions, outermost(tree, rooms), options.nowMs),
    recentCases(db, rooms, options.nowMs, RECENT_CASES),
    regionFreshness(db, regions),
  ])
  const byRegion = new Map<string, PartialRow[]>()
  days.forEach((row) => byRegion.set(row.region, [...(byRegion.get(row.region) ?? []), row]))
  return { days: byRegion, counts, cases, freshness }
}

/**
 * The live view of a region and its children, computed from stored partials: "current" merges the
 * metric's trailing window of minute buckets, "today" the local day's bucket, so every number on screen
 * is a merge of exactly the stored rows. The live publisher computes the same from cached minutes.
 */
export async function loadSnapshot(db: Queryable, tree: RegionTree, regionId: string, options: SnapshotOptions): Promise<RegionSnapshot> {
  const [minutes, state] = await Promise.all([
    loadMinutes(db, regionsOf(tree, [regionId]), minuteStarts(snapshotEndMs(options.nowMs))),
    loadSnapshotState(db, tree, [regionId], options),
  ])
  const series = groupMinutes(minutes)
  return buildSnapshots(tree, [regionId], (region) => ({ series: series.get(region) ?? new Map(), points: new Map() }), state, options)[0]!
}

/**
 * A region's stored minutes (covering minuteStarts) and trend points already computed from them, by
 * metric and minute: a point merges only minutes up to its own, so it holds until a minute at or before
 * it changes (see forgetPointsFrom). New points are added here.
 */
export interface RegionMinutes {
  series: MinuteSeries
  points: Map<string, Map<number, number | null>>
}

/** Drops the trend points that merged a minute from fromMs on. */
export function forgetPointsFrom(points: RegionMinutes['points'], fromMs: number): void {
  for (const byMinute of points.values()) {
    for (const t of byMinute.keys()) {
      if (t >= fromMs) {
        byMinute.delete(t)
      }
    }
  }
}

/** Snapshots of rooms from each region's minutes and the state; a region shared by rooms is computed once. */
export function buildSnapshots(
  tree: RegionTree, rooms: readonly string[], minutesOf: (region: string) => RegionMinutes | undefined, state: SnapshotState, options: SnapshotOptions,
): RegionSnapshot[] {
  const { nowMs, staleAfterMs } = options
  const endMs = snapshotEndMs(nowMs)
  const computed = new Map<string, MetricValues>()
  const valuesOf = (region: string) => {
    let values = computed.get(region)
    if (!values) {
      values = regionValues(minutesOf(region)?.series, state.days.get(region) ?? [], state.counts.get(region), endMs)
      computed.set(region, values)
    }
    return values
  }
  return rooms.map((room): RegionSnapshot => {
    const own = state.freshness.get(room)
    return {
      region: room,
      version: own?.version ?? 0,
      asOf: new Date(nowMs).toISOString(),
      committedAt: own?.committedAt ?? null,
      eventTime: own?.eventTime ?? null,
      // Nothing heard, or nothing for too long: either way the numbers are not live.
      stale: own?.eventTime == null || nowMs - Date.parse(own.eventTime) > staleAfterMs,
      values: valuesOf(room),
      children: tree.children(room).map(({ id }): ChildValues => ({ region: id, eventTime: state.freshness.get(id)?.eventTime ?? null, values: valuesOf(id) })),
      trend: trendOf(minutesOf(room), endMs),
      cases: state.cases.get(room) ?? [],
    }
  })
}

function regionValues(minutes: MinuteSeries | undefined, days: PartialRow[], counts: CaseCounts | undefined, endMs: number): MetricValues {
  const today = mergeByMetric(days)
  const caseState = counts ?? { open: 0, overdue: 0 }
  // Derived metrics share inputs and windows with stored ones (AQI the pollutants' hour): merge each once.
  const windows = new Map<string, Partial | undefined>()
  const windowOf = (input: string, windowMin: number) => {
    const key = `${input}|${windowMin}`
    if (!windows.has(key)) {
      windows.set(key, mergeRange(minutes?.get(input), endMs - windowMin * MINUTE_MS, endMs))
    }
    return windows.get(key)
  }
  const out: MetricValues = {}
  for (const metric of METRICS) {
    const current = new Map<string, Partial>()
    for (const input of inputsOf(metric)) {
      const merged = windowOf(input, metric.currentWindowMin)
      if (merged) {
        current.set(input, merged)
      }
    }
    out[metric.id] = { current: metricValue(metric, current, caseState), today: metricValue(metric, today, caseState) }
  }
  return out
}

/** Each input's rows with fromMs <= t < toMs merged; inputs without rows are left out. */
function mergedInputs(minutes: MinuteSeries | undefined, inputs: string[], fromMs: number, toMs: number): Map<string, Partial> {
  const out = new Map<string, Partial>()
  for (const input of inputs) {
    const merged = mergeRange(minutes?.get(input), fromMs, toMs)
    if (merged) {
      out.set(input, merged)
    }
  }
  return out
}

/**
 * One point per minute of the last hour, each merging its span of minutes (see trendSpanMin); null where
 * no row is. Points computed before (and still valid) are reused; older ones are dropped.
 */
function trendOf(minutes: RegionMinutes | undefined, endMs: number): RegionSnapshot['trend'] {
  const trend: RegionSnapshot['trend'] = {}
  const firstMs = endMs - TREND_WINDOW_MIN * MINUTE_MS
  for (const id of TREND_METRICS) {
    const metric = findMetric(id)!
    const inputs = inputsOf(metric)
    const spanMs = trendSpanMin(id) * MINUTE_MS
    let known = minutes?.points.get(id)
    if (!known) {
      known = new Map()
      minutes?.points.set(id, known)
    }
    for (const t of known.keys()) {
      if (t < firstMs) {
        known.delete(t)
      }
    }
    trend[id] = Array.from({ length: TREND_WINDOW_MIN }, (_, i) => {
      const t = firstMs + i * MINUTE_MS
      let value = known.get(t)
      if (value === undefined) {
        const merged = mergedInputs(minutes?.series, inputs, t - spanMs + 1, t + 1)
        value = merged.size > 0 ? metricValue(metric, merged) : null
        known.set(t, value)
      }
      return [t, value]
    })
  }
  return trend
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
