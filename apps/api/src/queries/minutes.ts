import { emptyPartial, mergeInto, type Partial } from '@city/metrics'
import type { Queryable } from '@city/platform'
import { toPartialRow, type PartialRow, type StoredPartialRow } from './partials.js'

/** One region's stored minute partials (agg_1m) by metric, each list ascending in time. */
export type MinuteSeries = Map<string, PartialRow[]>

/**
 * agg_1m rows of some regions, each metric from its own start (epoch ms) on. One scan per distinct
 * start, bounded by constants the planner can see (a start joined from a list made it scan the whole
 * table); in no particular order (sorting text keys on the server cost more than the scan).
 */
export async function loadMinutes(db: Queryable, regions: string[], starts: ReadonlyMap<string, number>): Promise<PartialRow[]> {
  const byStart = new Map<number, string[]>()
  starts.forEach((start, metric) => byStart.set(start, [...(byStart.get(start) ?? []), metric]))
  const params: unknown[] = [regions]
  const scans = [...byStart].map(([start, metrics]) => {
    params.push(metrics, start)
    return `select region, metric, extract(epoch from bucket)::float8 * 1000 as t, n, sum, w, min, max, x from agg_1m
      where region = any($1::text[]) and metric = any($${params.length - 1}::text[]) and bucket >= to_timestamp($${params.length}::float8 / 1000.0)`
  })
  const { rows } = await db.query<StoredPartialRow>(scans.join('\nunion all\n'), params)
  return rows.map(toPartialRow)
}

/** Groups rows by region, then metric, each list in time order. */
export function groupMinutes(rows: readonly PartialRow[]): Map<string, MinuteSeries> {
  const out = new Map<string, MinuteSeries>()
  for (const row of rows) {
    let series = out.get(row.region)
    if (!series) {
      series = new Map()
      out.set(row.region, series)
    }
    appendRow(series, row)
  }
  out.forEach(sortSeries)
  return out
}

/** Replaces a region's rows from fromMs on with `fresh`: all its stored rows from there (grouped by groupMinutes). */
export function replaceMinutesFrom(series: MinuteSeries, fromMs: number, fresh: MinuteSeries | undefined): void {
  for (const list of series.values()) {
    list.length = firstAtOrAfter(list, fromMs)
  }
  for (const [metric, rows] of fresh ?? []) {
    series.set(metric, [...(series.get(metric) ?? []), ...rows])
  }
}

/** Drops each metric's rows from before its start. */
export function pruneMinutes(series: MinuteSeries, starts: ReadonlyMap<string, number>): void {
  for (const [metric, list] of series) {
    const drop = firstAtOrAfter(list, starts.get(metric) ?? Infinity)
    if (drop === list.length) {
      series.delete(metric)
    } else if (drop > 0) {
      list.splice(0, drop)
    }
  }
}

/**
 * `start` (when given), then the rows with fromMs <= t < toMs merged onto it in time order, as a new
 * partial; undefined when there is neither. The same rows give the same bits, however they are split:
 * merging rows up to some minute, then the rest onto that, is the very same sequence of additions.
 */
export function mergeRange(rows: readonly PartialRow[] | undefined, fromMs: number, toMs: number, start?: Partial): Partial | undefined {
  const end = rows ? firstAtOrAfter(rows, toMs) : 0
  let i = rows ? firstAtOrAfter(rows, fromMs) : 0
  if (i >= end && !start) {
    return undefined
  }
  // Merged into an empty partial, `start` is copied exactly (0 + x; maps entry by entry, in their order).
  const merged = start ? mergeInto(emptyPartial(), start) : emptyPartial()
  for (; i < end; i++) {
    mergeInto(merged, rows![i]!.partial)
  }
  return merged
}

function appendRow(series: MinuteSeries, row: PartialRow): void {
  const list = series.get(row.metric)
  if (list) {
    list.push(row)
  } else {
    series.set(row.metric, [row])
  }
}

function sortSeries(series: MinuteSeries): void {
  for (const list of series.values()) {
    if (list.some((row, i) => i > 0 && row.t <= list[i - 1]!.t)) {
      list.sort((a, b) => a.t - b.t)
    }
  }
}

/** Index of the first row with t >= tMs (binary search). */
function firstAtOrAfter(rows: readonly PartialRow[], tMs: number): number {
  let lo = 0
  let hi = rows.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (rows[mid]!.t < tMs) {
      lo = mid + 1
    } else {
      hi = mid
    }
  }
  return lo
}
