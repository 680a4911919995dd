import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { CaseSummary, RegionSnapshot, TrendPoint } from './api.js'
import { applySnapshotPatch, diffSnapshots } from './snapshot-patch.js'

const METRICS = ['traffic.tti', 'env.aqi', 'events.open']
const CHILDREN = ['east', 'west', 'north']
const MINUTE = 60_000
const T0 = Date.UTC(2026, 11, 4, 8)

const value = fc.option(fc.integer({ min: 0, max: 5 }).map((n) => n / 2), { nil: null })
const metricValue = fc.record({ current: value, today: value })
const values = fc.tuple(...METRICS.map(() => metricValue)).map((vs) => Object.fromEntries(METRICS.map((m, i) => [m, vs[i]!])))
const time = fc.option(fc.integer({ min: 0, max: 3 }).map((n) => new Date(T0 + n * 1000).toISOString()), { nil: null })

/** A trend window: `points` minutes starting `start` minutes after T0, values from a small set so runs repeat. */
const series = fc.tuple(fc.integer({ min: 0, max: 4 }), fc.array(value, { maxLength: 8 }))
  .map(([start, vs]): TrendPoint[] => vs.map((v, i) => [T0 + (start + i) * MINUTE, v]))

const caseOf = (id: string, stage: 'reported' | 'dispatched'): CaseSummary => ({
  id, region: 'east', category: 'garbage', channel: 'hotline', stage, stageAt: new Date(T0).toISOString(),
  reportedAt: new Date(T0).toISOString(), deadline: null, overdue: stage === 'dispatched', severity: 2, dept: null, title: '垃圾桶满溢',
})
const cases = fc.uniqueArray(fc.tuple(fc.constantFrom('c1', 'c2', 'c3', 'c4'), fc.constantFrom('reported' as const, 'dispatched' as const)), { selector: ([id]) => id, maxLength: 4 })
  .map((list) => list.map(([id, stage]) => caseOf(id, stage)))

const snapshot = fc.record({
  version: fc.integer({ min: 0, max: 9 }),
  asOf: time.map((t) => t ?? new Date(T0).toISOString()),
  committedAt: time, eventTime: time, stale: fc.boolean(), values,
  children: fc.tuple(...CHILDREN.map(() => fc.record({ eventTime: time, values }))),
  trend: fc.tuple(...METRICS.map(() => series)),
  cases,
}).map((s): RegionSnapshot => ({
  region: 'demo-city', ...s,
  children: s.children.map((c, i) => ({ region: CHILDREN[i]!, ...c })),
  trend: Object.fromEntries(METRICS.map((m, i) => [m, s.trend[i]!])),
}))

/** What a client does: receive the patch as JSON and apply it to the snapshot it holds. */
const throughTheWire = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T

describe('snapshot patches', () => {
  it('rebuild the next snapshot exactly from the base', () => {
    fc.assert(fc.property(snapshot, snapshot, (base, next) => {
      const patch = diffSnapshots(base, next)
      expect(patch).not.toBeNull()
      expect(applySnapshotPatch(throughTheWire(base), throughTheWire(patch!))).toEqual(next)
    }), { numRuns: 2000 })
  })

  it('carry only what changed when a trend moves on by a minute and one child changes', () => {
    const base: RegionSnapshot = {
      region: 'demo-city', version: 7, asOf: new Date(T0).toISOString(), committedAt: null, eventTime: null, stale: false,
      values: { 'traffic.tti': { current: 1.5, today: 1.4 }, 'env.aqi': { current: 60, today: 55 } },
      children: CHILDREN.map((region) => ({ region, eventTime: null, values: { 'traffic.tti': { current: 1, today: 1 } } })),
      trend: { 'traffic.tti': Array.from({ length: 60 }, (_, i): TrendPoint => [T0 + i * MINUTE, i]) },
      cases: [caseOf('c1', 'reported'), caseOf('c2', 'reported')],
    }
    const next: RegionSnapshot = {
      ...base, version: 8, asOf: new Date(T0 + 1000).toISOString(),
      values: { ...base.values, 'traffic.tti': { current: 1.6, today: 1.4 } },
      children: base.children.map((c, i) => (i === 1 ? { ...c, values: { 'traffic.tti': { current: 2, today: 1 } } } : c)),
      trend: { 'traffic.tti': [...base.trend['traffic.tti']!.slice(1, 59), [T0 + 59 * MINUTE, 59.5], [T0 + 60 * MINUTE, 60]] },
      cases: [caseOf('c3', 'reported'), caseOf('c1', 'dispatched'), caseOf('c2', 'reported')],
    }
    const patch = diffSnapshots(base, next)!
    expect(patch.base).toEqual({ version: 7, asOf: base.asOf })
    expect(patch.values).toEqual({ 'traffic.tti': { current: 1.6, today: 1.4 } })
    expect(patch.children).toEqual([{ region: 'west', eventTime: null, values: { 'traffic.tti': { current: 2, today: 1 } } }])
    expect(patch.trend).toEqual({ 'traffic.tti': { drop: 1, keep: 58, tail: [[T0 + 59 * MINUTE, 59.5], [T0 + 60 * MINUTE, 60]] } })
    expect(patch.cases).toEqual({ ids: ['c3', 'c1', 'c2'], changed: [caseOf('c3', 'reported'), caseOf('c1', 'dispatched')] })
    expect(applySnapshotPatch(base, patch)).toEqual(next)
    expect(JSON.stringify(patch).length).toBeLessThan(JSON.stringify(next).length / 2)
  })

  it('apply to nothing but their base', () => {
    fc.assert(fc.property(snapshot, snapshot, snapshot, (base, next, other) => {
      const patch = diffSnapshots(base, next)!
      if (other.version !== base.version || other.asOf !== base.asOf) {
        expect(applySnapshotPatch(other, patch)).toBeNull()
      }
    }))
  })

  it('are not made between snapshots of different shapes', () => {
    fc.assert(fc.property(snapshot, snapshot, (base, next) => {
      expect(diffSnapshots(base, { ...next, region: 'east' })).toBeNull()
      expect(diffSnapshots(base, { ...next, children: next.children.slice(1) })).toBeNull()
      expect(diffSnapshots(base, { ...next, children: next.children.map((c) => ({ ...c, values: { 'env.pm25': { current: 1, today: 1 } } })) })).toBeNull()
      expect(diffSnapshots(base, { ...next, values: { ...next.values, 'env.pm25': { current: 1, today: 1 } } })).toBeNull()
      expect(diffSnapshots(base, { ...next, trend: { ...next.trend, 'env.pm25': [] } })).toBeNull()
    }), { numRuns: 100 })
  })
})
