import { expect } from 'vitest'

/**
 * Asserts that a value the product shows equals the independent recomputation: exactly for counts (a
 * counter with nothing stored is null where the recount is 0), to 1e-9 relative for averages.
 */
export function expectClose(actual: number | null | undefined, expected: number | null, metric: string): void {
  if (metric.startsWith('cases.') && metric !== 'cases.on_time_rate') {
    expect(actual ?? 0, metric).toBe(expected ?? 0)
    return
  }
  if (expected === null) {
    expect(actual, metric).toBeNull()
    return
  }
  expect(actual, metric).toBeTypeOf('number')
  expect(Math.abs(actual! - expected), `${metric}: ${actual} vs ${expected}`).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(expected)))
}
