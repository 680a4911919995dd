/** Fixed logarithmic buckets: 20 per decade, so a quantile is within about ±6% of the true value. */
export const BUCKETS_PER_DECADE = 20

/** Bucket index of a positive value; zero and negatives share bucket -Infinity's stand-in, -1000. */
export function bucketOf(value: number): number {
  if (value <= 0) {
    return ZERO_BUCKET
  }
  return Math.floor(Math.log10(value) * BUCKETS_PER_DECADE)
}

export const ZERO_BUCKET = -1000

/** The representative value of a bucket: its geometric midpoint. */
export function bucketValue(index: number): number {
  if (index === ZERO_BUCKET) {
    return 0
  }
  return 10 ** ((index + 0.5) / BUCKETS_PER_DECADE)
}

/** The q-quantile (0..1) of a bucketed distribution, or null when it is empty. */
export function quantileOf(hist: Readonly<Record<string, number>>, q: number): number | null {
  const entries = Object.entries(hist).map(([k, c]) => [Number(k), c] as const).filter(([, c]) => c > 0)
  const total = entries.reduce((s, [, c]) => s + c, 0)
  if (total <= 0) {
    return null
  }
  entries.sort((a, b) => a[0] - b[0])
  const rank = q * total
  let seen = 0
  for (const [index, count] of entries) {
    seen += count
    if (seen >= rank) {
      return bucketValue(index)
    }
  }
  return bucketValue(entries[entries.length - 1]![0])
}
