import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { BUCKETS_PER_DECADE, bucketOf, bucketValue, quantileOf, ZERO_BUCKET } from './histogram.js'

function histogramOf(values: readonly number[]): Record<string, number> {
  const hist: Record<string, number> = {}
  for (const v of values) {
    const b = bucketOf(v)
    hist[b] = (hist[b] ?? 0) + 1
  }
  return hist
}

/** Nearest-rank quantile: the smallest value with at least q·n values at or below it. */
function exactQuantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.max(Math.ceil(q * sorted.length), 1) - 1]!
}

const positive = fc.double({ min: 1e-3, max: 1e6, noNaN: true })

describe('bucketOf', () => {
  it.each<[number, number]>([
    [1, 0],
    [1.1, 0],
    [10, BUCKETS_PER_DECADE],
    [100, 2 * BUCKETS_PER_DECADE],
    [0.1, -BUCKETS_PER_DECADE],
    [0.5, -7],
  ])('puts %d in bucket %d', (value, bucket) => {
    expect(bucketOf(value)).toBe(bucket)
  })

  it.each([0, -0, -3, -Infinity])('puts %d in the zero bucket', (value) => {
    expect(bucketOf(value)).toBe(ZERO_BUCKET)
  })

  it('places every positive value within 6% of its bucket\'s representative value', () => {
    fc.assert(fc.property(fc.double({ min: 1e-6, max: 1e9, noNaN: true }), (v) => {
      expect(Math.abs(bucketValue(bucketOf(v)) - v)).toBeLessThanOrEqual(0.06 * v)
    }))
  })

  it('never orders two values the other way round', () => {
    fc.assert(fc.property(positive, positive, (a, b) => {
      fc.pre(a <= b)
      expect(bucketOf(a)).toBeLessThanOrEqual(bucketOf(b))
    }))
  })
})

describe('bucketValue', () => {
  it('is 0 for the zero bucket', () => {
    expect(bucketValue(ZERO_BUCKET)).toBe(0)
  })

  it('is the geometric midpoint of the bucket', () => {
    expect(bucketValue(0)).toBeCloseTo(Math.sqrt(10 ** (1 / BUCKETS_PER_DECADE)), 12)
    expect(bucketValue(BUCKETS_PER_DECADE)).toBeCloseTo(10 * Math.sqrt(10 ** (1 / BUCKETS_PER_DECADE)), 10)
  })
})

describe('quantileOf', () => {
  it('is within ±6% of the exact quantile of random positive data', () => {
    fc.assert(fc.property(fc.array(positive, { minLength: 1, maxLength: 300 }), fc.double({ min: 0, max: 1, noNaN: true }), (values, q) => {
      const exact = exactQuantile(values, q)
      const estimate = quantileOf(histogramOf(values), q)!
      expect(Math.abs(estimate - exact)).toBeLessThanOrEqual(0.06 * exact)
    }))
  })

  it.each<[string, number[], number, number]>([
    ['the median of 1..100 is about 50', Array.from({ length: 100 }, (_, i) => i + 1), 0.5, 50],
    ['the 15th percentile of 1..100 is about 15', Array.from({ length: 100 }, (_, i) => i + 1), 0.15, 15],
    ['q = 0 reads the smallest value', [3, 40, 500], 0, 3],
    ['q = 1 reads the largest value', [3, 40, 500], 1, 500],
    ['a single value is its own every quantile', [42], 0.9, 42],
  ])('%s', (_, values, q, expected) => {
    const estimate = quantileOf(histogramOf(values), q)!
    expect(Math.abs(estimate - expected)).toBeLessThanOrEqual(0.06 * expected)
  })

  it('reads 0 when the quantile falls in the zero bucket', () => {
    const hist = histogramOf([0, 0, 0, 12])
    expect(quantileOf(hist, 0.5)).toBe(0)
    expect(quantileOf(hist, 0.75)).toBe(0)
    expect(quantileOf(hist, 1)).toBeCloseTo(bucketValue(bucketOf(12)), 12)
  })

  it('orders the zero bucket below every positive bucket, including those below 1', () => {
    const hist = histogramOf([0.01, 0.02, 0])
    expect(quantileOf(hist, 0)).toBe(0)
    expect(quantileOf(hist, 0.5)).toBeCloseTo(bucketValue(bucketOf(0.01)), 12)
  })

  it.each<[string, Record<string, number>]>([
    ['no buckets', {}],
    ['only empty buckets', { 3: 0, [ZERO_BUCKET]: 0 }],
  ])('is null for %s', (_, hist) => {
    expect(quantileOf(hist, 0.5)).toBeNull()
  })

  it('ignores empty buckets', () => {
    expect(quantileOf({ 0: 0, 20: 2, 40: 0 }, 0)).toBeCloseTo(bucketValue(20), 12)
  })
})
