import type { AggKind } from '../catalog/metrics.js'
import { bucketOf, quantileOf } from './histogram.js'

/** A device's latest report for latest-per-device sums: [event time ms, a, b]. */
export type LatestEntry = [number, number, number]

/**
 * A mergeable partial aggregate. Every metric kind reads its value from these fields, and merging two
 * partials (across time buckets or regions) is associative and commutative, so any rollup equals the
 * computation over the raw readings.
 */
export interface Partial {
  /** Number of observations (net of retractions for counters). */
  n: number
  /** Σ value, Σ w·x (weighted mean), Σ 10^(L/10) (energy mean) or Σ numerator (ratio). */
  sum: number
  /** Σ weight (weighted mean) or Σ denominator (ratio). */
  w: number
  /** Smallest observed value; Infinity when empty. */
  min: number
  /** Largest observed value; -Infinity when empty. */
  max: number
  /** Histogram: log-bucket index → count. */
  hist?: Record<string, number>
  /** Latest-per-device: device id → latest report. */
  last?: Record<string, LatestEntry>
}

export function emptyPartial(): Partial {
  return { n: 0, sum: 0, w: 0, min: Infinity, max: -Infinity }
}

/** Adds one observation of `value` (with `weight` for weighted means and ratios) to a partial, in place. */
export function observe(p: Partial, kind: AggKind, value: number, weight = 1): void {
  p.n += 1
  if (kind === 'sum') {
    p.sum += value
    return
  }
  if (value < p.min) {
    p.min = value
  }
  if (value > p.max) {
    p.max = value
  }
  switch (kind) {
    case 'mean':
      p.sum += value
      return
    case 'weighted_mean':
      p.sum += value * weight
      p.w += weight
      return
    case 'ratio':
      p.sum += value
      p.w += weight
      return
    case 'energy_mean':
      p.sum += 10 ** (value / 10)
      return
    case 'histogram': {
      const hist = (p.hist ??= {})
      const b = bucketOf(value)
      hist[b] = (hist[b] ?? 0) + 1
      return
    }
    case 'latest_sum':
      throw new Error('latest_sum partials take observeLatest()')
  }
}

/**
 * Takes back one counted observation (a work order that left the state it was counted in), in place.
 * Counters keep no min/max, so the result equals counting the final states from scratch.
 */
export function retract(p: Partial, value: number): void {
  p.n -= 1
  p.sum -= value
}

/** Records a device's report for a latest-per-device sum (e.g. parking occupied / capacity), in place. */
export function observeLatest(p: Partial, device: string, tsMs: number, a: number, b: number): void {
  p.n += 1
  const last = (p.last ??= {})
  const entry: LatestEntry = [tsMs, a, b]
  const current = last[device]
  if (!current || isNewerReport(entry, current)) {
    last[device] = entry
  }
}

/** Whether report x replaces y: later event time wins; ties break on the values so the merge stays commutative. */
export function isNewerReport(x: Readonly<LatestEntry>, y: Readonly<LatestEntry>): boolean {
  if (x[0] !== y[0]) {
    return x[0] > y[0]
  }
  return x[1] !== y[1] ? x[1] > y[1] : x[2] > y[2]
}

/** Merges `from` into `into`, in place, and returns `into`. */
export function mergeInto(into: Partial, from: Partial): Partial {
  into.n += from.n
  into.sum += from.sum
  into.w += from.w
  into.min = Math.min(into.min, from.min)
  into.max = Math.max(into.max, from.max)
  if (from.hist) {
    mergeHistogram((into.hist ??= {}), from.hist)
  }
  if (from.last) {
    mergeLatest((into.last ??= {}), from.last)
  }
  return into
}

// for…in rather than Object.entries: merging runs several times per observation at flush, and the
// entry arrays were a large share of its garbage.
function mergeHistogram(into: Record<string, number>, from: Record<string, number>): void {
  for (const k in from) {
    into[k] = (into[k] ?? 0) + from[k]!
  }
}

function mergeLatest(into: Record<string, LatestEntry>, from: Record<string, LatestEntry>): void {
  for (const device in from) {
    const entry = from[device]!
    const current = into[device]
    if (!current || isNewerReport(entry, current)) {
      into[device] = [entry[0], entry[1], entry[2]]
    }
  }
}

/** Merges any number of partials into a new one. */
export function mergeAll(parts: Iterable<Partial>): Partial {
  const out = emptyPartial()
  for (const p of parts) {
    mergeInto(out, p)
  }
  return out
}

/** The metric value a partial stands for, or null when it holds no data. */
export function valueOf(p: Partial, kind: AggKind, quantile = 0.5): number | null {
  switch (kind) {
    case 'sum':
      return p.n === 0 ? null : p.sum
    case 'mean':
      return p.n === 0 ? null : p.sum / p.n
    case 'weighted_mean':
    case 'ratio':
      return p.w === 0 ? null : p.sum / p.w
    case 'energy_mean':
      return p.n === 0 || p.sum <= 0 ? null : 10 * Math.log10(p.sum / p.n)
    case 'histogram':
      return p.hist ? quantileOf(p.hist, quantile) : null
    case 'latest_sum':
      return latestRatio(p)
  }
}

function latestRatio(p: Partial): number | null {
  let a = 0
  let b = 0
  for (const [, x, y] of Object.values(p.last ?? {})) {
    a += x
    b += y
  }
  return b === 0 ? null : a / b
}
