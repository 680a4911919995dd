import { findMetric, inputsOf, METRICS, metricValue, minuteStart, MINUTE_MS, type CaseCounts, type Partial, type RegionTree } from '@city/metrics'
import type { CaseSummary, ChildValues, MetricValues, RegionSnapshot } from '@city/metrics/wire'
import { mergeByMetric, type PartialRow } from './partials.js'
import { mergeRange, type MinuteSeries } from './minutes.js'

export interface SnapshotOptions {
  nowMs: number
  timeZone: string
  staleAfterMs: number
}

const TREND_WINDOW_MIN = 60
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

export interface Freshness {
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

/**
 * A region's stored minutes (covering minuteStarts) and what was already merged from them: trend points
 * by metric and minute, and each window's merge of its minutes before the last one (which commits keep
 * changing). Both hold until one of their minutes changes (see forgetFrom); new ones are added here.
 */
export interface RegionMinutes {
  series: MinuteSeries
  points: Map<string, Map<number, number | null>>
  prefixes: Map<string, { fromMs: number, toMs: number, merged: Partial | undefined }>
}

export const regionMinutes = (series: MinuteSeries = new Map()): RegionMinutes => ({ series, points: new Map(), prefixes: new Map() })

/** Drops what was merged from a minute at or after fromMs. */
export function forgetFrom(minutes: RegionMinutes, fromMs: number): void {
  for (const byMinute of minutes.points.values()) {
    for (const t of byMinute.keys()) {
      if (t >= fromMs) {
        byMinute.delete(t)
      }
    }
  }
  for (const [key, prefix] of minutes.prefixes) {
    if (prefix.toMs > fromMs) {
      minutes.prefixes.delete(key)
    }
  }
}

/**
 * Snapshots of rooms from each region's minutes and the state; a region shared by rooms is computed
 * once. Every merge folds minutes in time order, whatever was kept from before, so the numbers are the
 * same bits however the minutes were obtained.
 */
export function buildSnapshots(
  tree: RegionTree, rooms: readonly string[], minutesOf: (region: string) => RegionMinutes | undefined, state: SnapshotState, options: SnapshotOptions,
): RegionSnapshot[] {
  const { nowMs, staleAfterMs } = options
  const endMs = snapshotEndMs(nowMs)
  const computed = new Map<string, MetricValues>()
  const valuesOf = (region: string) => {
    let values = computed.get(region)
    if (!values) {
      values = regionValues(minutesOf(region) ?? regionMinutes(), state.days.get(region) ?? [], state.counts.get(region), endMs)
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
      trend: trendOf(minutesOf(room) ?? regionMinutes(), endMs),
      cases: state.cases.get(room) ?? [],
    }
  })
}

function regionValues(minutes: RegionMinutes, days: PartialRow[], counts: CaseCounts | undefined, endMs: number): MetricValues {
  const today = mergeByMetric(days)
  const caseState = counts ?? { open: 0, overdue: 0 }
  const lastMs = endMs - MINUTE_MS
  // Derived metrics share inputs and windows with stored ones (AQI the pollutants' hour): merge each once.
  const windows = new Map<string, Partial | undefined>()
  const windowOf = (input: string, windowMin: number) => {
    const key = `${input}|${windowMin}`
    if (!windows.has(key)) {
      const rows = minutes.series.get(input)
      const fromMs = endMs - windowMin * MINUTE_MS
      let prefix = minutes.prefixes.get(key)
      if (prefix?.fromMs !== fromMs || prefix.toMs !== lastMs) {
        prefix = { fromMs, toMs: lastMs, merged: mergeRange(rows, fromMs, lastMs) }
        minutes.prefixes.set(key, prefix)
      }
      windows.set(key, mergeRange(rows, Math.max(fromMs, lastMs), endMs, prefix.merged))
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
function mergedInputs(minutes: MinuteSeries, inputs: string[], fromMs: number, toMs: number): Map<string, Partial> {
  const out = new Map<string, Partial>()
  for (const input of inputs) {
    const merged = mergeRange(minutes.get(input), fromMs, toMs)
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
function trendOf(minutes: RegionMinutes, endMs: number): RegionSnapshot['trend'] {
  const trend: RegionSnapshot['trend'] = {}
  const firstMs = endMs - TREND_WINDOW_MIN * MINUTE_MS
  for (const id of TREND_METRICS) {
    const metric = findMetric(id)!
    const inputs = inputsOf(metric)
    const spanMs = trendSpanMin(id) * MINUTE_MS
    let known = minutes.points.get(id)
    if (!known) {
      known = new Map()
      minutes.points.set(id, known)
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
        const merged = mergedInputs(minutes.series, inputs, t - spanMs + 1, t + 1)
        value = merged.size > 0 ? metricValue(metric, merged) : null
        known.set(t, value)
      }
      return [t, value]
    })
  }
  return trend
}
