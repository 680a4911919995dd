import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { AggKind } from '../catalog/metrics.js'
import { emptyPartial, mergeAll, mergeInto, observe, observeLatest, retract, valueOf, type Partial } from './partial.js'

/** One raw reading as the ingest sees it: a value and (for weighted means and ratios) its weight. */
interface Obs { value: number, weight: number }
/** One device report for a latest-per-device sum (e.g. parking occupied / capacity). */
interface Report { device: string, tsMs: number, a: number, b: number }

type PointKind = Exclude<AggKind, 'latest_sum'>
const POINT_KINDS: readonly PointKind[] = ['sum', 'mean', 'weighted_mean', 'ratio', 'energy_mean', 'histogram']

const unit = fc.constant(1)
const OBS: Record<PointKind, fc.Arbitrary<Obs>> = {
  sum: fc.record({ value: fc.double({ min: 0, max: 1e4, noNaN: true }), weight: unit }),
  mean: fc.record({ value: fc.double({ min: 0, max: 250, noNaN: true }), weight: unit }),
  // travel-time index weighted by flow; a flow of 0 must not count
  weighted_mean: fc.record({ value: fc.double({ min: 1, max: 5, noNaN: true }), weight: fc.integer({ min: 0, max: 300 }) }),
  ratio: fc.record({ value: fc.integer({ min: 0, max: 50 }), weight: fc.integer({ min: 0, max: 50 }) }),
  energy_mean: fc.record({ value: fc.double({ min: 20, max: 130, noNaN: true }), weight: unit }),
  histogram: fc.record({ value: fc.oneof(fc.constant(0), fc.double({ min: 0.1, max: 200, noNaN: true })), weight: unit }),
}

// Few devices and event times, so reports for one device often tie on event time.
const REPORT: fc.Arbitrary<Report> = fc.record({
  device: fc.constantFrom('p1', 'p2', 'p3', 'p4'),
  tsMs: fc.integer({ min: 0, max: 5 }).map((m) => 1_772_000_000_000 + m * 60_000),
  a: fc.integer({ min: 0, max: 50 }),
  b: fc.integer({ min: 0, max: 50 }),
})

/** A reading tagged with the (region, time bucket) partial it lands in. */
const placed = <T>(arb: fc.Arbitrary<T>) =>
  fc.array(fc.record({ item: arb, region: fc.integer({ min: 0, max: 3 }), bucket: fc.integer({ min: 0, max: 5 }) }), { maxLength: 40 })

function partialOf(kind: PointKind, obs: readonly Obs[]): Partial {
  const p = emptyPartial()
  for (const o of obs) {
    observe(p, kind, o.value, o.weight)
  }
  return p
}

function latestPartialOf(reports: readonly Report[]): Partial {
  const p = emptyPartial()
  for (const r of reports) {
    observeLatest(p, r.device, r.tsMs, r.a, r.b)
  }
  return p
}

/** Builds one partial per (region, bucket), rolls buckets up per region, then regions up to the city. */
function rollUp<T>(rows: readonly { item: T, region: number, bucket: number }[], build: (items: T[]) => Partial): Partial {
  const cells = new Map<string, T[]>()
  for (const { item, region, bucket } of rows) {
    const key = `${region}/${bucket}`
    cells.set(key, [...(cells.get(key) ?? []), item])
  }
  const byRegion = new Map<number, Partial[]>()
  for (const [key, items] of cells) {
    const region = Number(key.split('/')[0])
    byRegion.set(region, [...(byRegion.get(region) ?? []), build(items)])
  }
  return mergeAll([...byRegion.values()].map((buckets) => mergeAll(buckets)))
}

function isClose(a: number, b: number): boolean {
  if (a === b) {
    return true
  }
  return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b))
}

function expectClose(actual: number | null, expected: number | null): void {
  if (actual === null || expected === null) {
    expect(actual).toBe(expected)
    return
  }
  expect(isClose(actual, expected), `${actual} ≉ ${expected}`).toBe(true)
}

/** Same partial up to float rounding in the sums; counts, extremes, buckets and latest entries exactly. */
function expectSamePartial(actual: Partial, expected: Partial): void {
  expect(actual.n).toBe(expected.n)
  expect(actual.min).toBe(expected.min)
  expect(actual.max).toBe(expected.max)
  expectClose(actual.sum, expected.sum)
  expectClose(actual.w, expected.w)
  expect(actual.hist).toEqual(expected.hist)
  expect(actual.last).toEqual(expected.last)
}

function expectSameValue(kind: AggKind, actual: Partial, expected: Partial): void {
  expectClose(valueOf(actual, kind), valueOf(expected, kind))
}

/** The value computed straight from the raw readings, without partials. */
function recompute(kind: PointKind, obs: readonly Obs[]): number | null {
  const total = (f: (o: Obs) => number) => obs.reduce((s, o) => s + f(o), 0)
  switch (kind) {
    case 'sum':
      return obs.length === 0 ? null : total((o) => o.value)
    case 'mean':
      return obs.length === 0 ? null : total((o) => o.value) / obs.length
    case 'weighted_mean': {
      const w = total((o) => o.weight)
      return w === 0 ? null : total((o) => o.value * o.weight) / w
    }
    case 'ratio': {
      const w = total((o) => o.weight)
      return w === 0 ? null : total((o) => o.value) / w
    }
    case 'energy_mean':
      return obs.length === 0 ? null : 10 * Math.log10(total((o) => 10 ** (o.value / 10)) / obs.length)
    case 'histogram': {
      if (obs.length === 0) {
        return null
      }
      const sorted = obs.map((o) => o.value).sort((x, y) => x - y)
      return sorted[Math.max(Math.ceil(0.5 * sorted.length), 1) - 1]!
    }
  }
}

describe.each(POINT_KINDS)('%s partials', (kind) => {
  const obs = fc.array(OBS[kind], { maxLength: 30 })

  it('merge in either order to the same partial', () => {
    fc.assert(fc.property(obs, obs, (x, y) => {
      const a = partialOf(kind, x)
      const b = partialOf(kind, y)
      expectSamePartial(mergeAll([a, b]), mergeAll([b, a]))
      expectSameValue(kind, mergeAll([a, b]), mergeAll([b, a]))
    }))
  })

  it('merge in any grouping to the same partial', () => {
    fc.assert(fc.property(obs, obs, obs, (x, y, z) => {
      const [a, b, c] = [partialOf(kind, x), partialOf(kind, y), partialOf(kind, z)]
      const left = mergeAll([mergeAll([a, b]), c])
      const right = mergeAll([a, mergeAll([b, c])])
      expectSamePartial(left, right)
      expectSameValue(kind, left, right)
    }))
  })

  it('roll up from per-region, per-bucket partials to the partial of all raw readings', () => {
    fc.assert(fc.property(placed(OBS[kind]), (rows) => {
      const direct = partialOf(kind, rows.map((r) => r.item))
      const rolled = rollUp(rows, (items) => partialOf(kind, items))
      expectSamePartial(rolled, direct)
      expectSameValue(kind, rolled, direct)
    }))
  })

  it('give the value recomputed from the raw readings', () => {
    fc.assert(fc.property(placed(OBS[kind]), (rows) => {
      const raw = rows.map((r) => r.item)
      const value = valueOf(rollUp(rows, (items) => partialOf(kind, items)), kind)
      const expected = recompute(kind, raw)
      if (kind !== 'histogram' || value === null || expected === null) {
        expectClose(value, expected)
        return
      }
      // a histogram knows its values only to the bucket: within ±6% (exactly 0 in the zero bucket)
      expect(Math.abs(value - expected)).toBeLessThanOrEqual(0.06 * expected)
    }))
  })

  it('are unchanged by merging an empty partial, and do not mutate their inputs', () => {
    fc.assert(fc.property(obs, obs, (x, y) => {
      const a = partialOf(kind, x)
      const b = partialOf(kind, y)
      const [aBefore, bBefore] = [structuredClone(a), structuredClone(b)]
      expectSamePartial(mergeAll([a, emptyPartial()]), a)
      expectSamePartial(mergeAll([emptyPartial(), a]), a)
      mergeAll([a, b])
      expect(a).toEqual(aBefore)
      expect(b).toEqual(bBefore)
    }))
  })

  it('give null when empty', () => {
    expect(valueOf(emptyPartial(), kind)).toBeNull()
    expect(valueOf(mergeAll([]), kind)).toBeNull()
    expect(valueOf(mergeAll([emptyPartial(), emptyPartial()]), kind)).toBeNull()
  })
})

describe('latest_sum partials', () => {
  const reports = fc.array(REPORT, { maxLength: 30 })

  it('keep each device\'s report with the latest event time', () => {
    fc.assert(fc.property(reports, (rs) => {
      const last = latestPartialOf(rs).last ?? {}
      const devices = new Set(rs.map((r) => r.device))
      expect(Object.keys(last).sort()).toEqual([...devices].sort())
      for (const device of devices) {
        const own = rs.filter((r) => r.device === device)
        const latestMs = Math.max(...own.map((r) => r.tsMs))
        const kept = last[device]!
        expect(kept[0]).toBe(latestMs)
        expect(own.some((r) => r.tsMs === latestMs && r.a === kept[1] && r.b === kept[2])).toBe(true)
      }
    }))
  })

  it('keep the same reports whatever order they arrive in, ties included', () => {
    fc.assert(fc.property(reports.chain((rs) => fc.tuple(fc.constant(rs), fc.shuffledSubarray(rs, { minLength: rs.length, maxLength: rs.length }))), ([rs, shuffled]) => {
      expect(latestPartialOf(shuffled)).toEqual(latestPartialOf(rs))
    }))
  })

  it('merge in either order and any grouping to the same partial', () => {
    fc.assert(fc.property(reports, reports, reports, (x, y, z) => {
      const [a, b, c] = [latestPartialOf(x), latestPartialOf(y), latestPartialOf(z)]
      expect(mergeAll([a, b])).toEqual(mergeAll([b, a]))
      expect(mergeAll([mergeAll([a, b]), c])).toEqual(mergeAll([a, mergeAll([b, c])]))
    }))
  })

  it('roll up from per-region, per-bucket partials to the partial of all reports', () => {
    fc.assert(fc.property(placed(REPORT), (rows) => {
      const direct = latestPartialOf(rows.map((r) => r.item))
      const rolled = rollUp(rows, latestPartialOf)
      expect(rolled).toEqual(direct)
      expect(valueOf(rolled, 'latest_sum')).toBe(valueOf(direct, 'latest_sum'))
    }))
  })

  it('do not alias the entries of a merged partial', () => {
    const a = latestPartialOf([{ device: 'p1', tsMs: 1, a: 3, b: 10 }])
    const merged = mergeAll([a])
    merged.last!.p1![1] = 99
    expect(a.last!.p1).toEqual([1, 3, 10])
  })

  it('give null when empty or when every capacity is 0', () => {
    expect(valueOf(emptyPartial(), 'latest_sum')).toBeNull()
    expect(valueOf(latestPartialOf([{ device: 'p1', tsMs: 1, a: 0, b: 0 }]), 'latest_sum')).toBeNull()
  })

  it('refuse plain observations', () => {
    expect(() => observe(emptyPartial(), 'latest_sum', 1)).toThrow(/observeLatest/)
  })
})

describe('retract', () => {
  const counts = fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 20 })

  it('leaves a counter equal to one that never saw the observation', () => {
    fc.assert(fc.property(counts.chain((xs) => fc.tuple(fc.constant(xs), fc.nat(xs.length - 1))), ([xs, k]) => {
      const seen = partialOf('sum', xs.map((value) => ({ value, weight: 1 })))
      retract(seen, xs[k]!)
      const never = partialOf('sum', xs.filter((_, i) => i !== k).map((value) => ({ value, weight: 1 })))
      expect(seen).toEqual(never)
      expect(valueOf(seen, 'sum')).toBe(valueOf(never, 'sum'))
    }))
  })

  it('cancels out when the retraction sits in another partial that is merged later', () => {
    const counted = partialOf('sum', [{ value: 1, weight: 1 }])
    const delta = emptyPartial()
    retract(delta, 1)
    expect(mergeAll([counted, delta])).toEqual(emptyPartial())
    expect(mergeAll([delta, counted])).toEqual(emptyPartial())
    expect(valueOf(mergeAll([counted, delta]), 'sum')).toBeNull()
  })

  it('keeps the float sum of a counter within rounding of one that never saw the observation', () => {
    fc.assert(fc.property(fc.array(OBS.sum, { minLength: 1, maxLength: 20 }).chain((xs) => fc.tuple(fc.constant(xs), fc.nat(xs.length - 1))), ([xs, k]) => {
      const seen = partialOf('sum', xs)
      retract(seen, xs[k]!.value)
      const never = partialOf('sum', xs.filter((_, i) => i !== k))
      // subtracting floats may leave a residue of rounding, nothing more
      expectSamePartial(seen, never)
    }))
  })
})

describe('valueOf', () => {
  const build = (kind: PointKind, rows: [number, number][]) => partialOf(kind, rows.map(([value, weight]) => ({ value, weight })))

  it.each<[string, PointKind, [number, number][], number]>([
    ['a counter sums its values', 'sum', [[3, 1], [4, 1], [5, 1]], 12],
    ['a gauge averages its values', 'mean', [[10, 1], [20, 1], [60, 1]], 30],
    ['noise averages energy: 60 and 70 dB give 10·log10((10^6 + 10^7) / 2)', 'energy_mean', [[60, 1], [70, 1]], 10 * Math.log10((1e6 + 1e7) / 2)],
    ['equal sound levels average to themselves', 'energy_mean', [[55, 1], [55, 1], [55, 1]], 55],
    ['the travel-time index is weighted by flow', 'weighted_mean', [[1.2, 100], [2.0, 300]], 1.8],
    ['a segment without flow does not move the travel-time index', 'weighted_mean', [[1.2, 100], [4.0, 0]], 1.2],
    ['a ratio divides the summed numerators by the summed denominators', 'ratio', [[3, 4], [1, 4]], 0.5],
  ])('%s', (_, kind, rows, expected) => {
    expect(valueOf(build(kind, rows), kind)).toBeCloseTo(expected, 10)
  })

  it('gives ≈ 67.4 dB for 60 and 70 dB', () => {
    expect(valueOf(build('energy_mean', [[60, 1], [70, 1]]), 'energy_mean')).toBeCloseTo(67.40, 2)
  })

  it.each<[string, PointKind, [number, number][]]>([
    ['gives null for a weighted mean whose weights are all 0', 'weighted_mean', [[1.5, 0], [2, 0]]],
    ['gives null for a ratio whose denominators are all 0', 'ratio', [[0, 0]]],
  ])('%s', (_, kind, rows) => {
    expect(valueOf(build(kind, rows), kind)).toBeNull()
  })

  it('reads the requested quantile of a histogram', () => {
    const speeds = build('histogram', Array.from({ length: 100 }, (_, i): [number, number] => [i + 1, 1]))
    expect(valueOf(speeds, 'histogram', 0.15)).toBeGreaterThanOrEqual(15 * 0.94)
    expect(valueOf(speeds, 'histogram', 0.15)).toBeLessThanOrEqual(15 * 1.06)
    expect(valueOf(speeds, 'histogram')).toBeGreaterThanOrEqual(50 * 0.94)
    expect(valueOf(speeds, 'histogram')).toBeLessThanOrEqual(50 * 1.06)
  })

  it('sums each parking lot\'s latest occupied over its latest capacity', () => {
    const p = latestPartialOf([
      { device: 'lot-1', tsMs: 2, a: 20, b: 100 },
      { device: 'lot-1', tsMs: 1, a: 10, b: 100 },
      { device: 'lot-2', tsMs: 1, a: 30, b: 50 },
    ])
    expect(valueOf(p, 'latest_sum')).toBeCloseTo(50 / 150, 12)
  })

  it('tracks min and max of a gauge but not of a counter', () => {
    expect(build('mean', [[7, 1], [3, 1], [9, 1]])).toMatchObject({ n: 3, min: 3, max: 9 })
    expect(build('sum', [[7, 1], [3, 1]])).toMatchObject({ n: 2, sum: 10, min: Infinity, max: -Infinity })
  })

  it('merges in place into the first partial and returns it', () => {
    const into = build('mean', [[1, 1]])
    const out = mergeInto(into, build('mean', [[3, 1]]))
    expect(out).toBe(into)
    expect(valueOf(into, 'mean')).toBe(2)
  })
})
