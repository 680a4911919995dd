import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { AggKind } from '../catalog/metrics.js'
import { emptyPartial, mergeInto, observe, observeLatest, retract, type Partial } from './partial.js'
import { PartialColumns } from './partial-columns.js'

/** One step on partial `row`: an observation, a device report, a retraction, or a merge from another row. */
type Step =
  | { op: 'observe', row: number, kind: Exclude<AggKind, 'latest_sum'>, value: number, weight: number }
  | { op: 'latest', row: number, device: string, tsMs: number, a: number, b: number }
  | { op: 'retract', row: number, value: number }
  | { op: 'merge', row: number, from: number }
  | { op: 'append', from: number }

const ROWS = 4
const row = fc.integer({ min: 0, max: ROWS - 1 })
const value = fc.oneof(fc.constant(0), fc.double({ min: -5, max: 250, noNaN: true }), fc.integer({ min: 0, max: 300 }))
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    op: fc.constant('observe' as const), row,
    kind: fc.constantFrom('sum', 'mean', 'weighted_mean', 'ratio', 'energy_mean', 'histogram') as fc.Arbitrary<Exclude<AggKind, 'latest_sum'>>,
    value, weight: fc.integer({ min: 0, max: 50 }),
  }),
  fc.record({
    op: fc.constant('latest' as const), row, device: fc.constantFrom('p1', 'p2', 'p3'),
    tsMs: fc.integer({ min: 0, max: 3 }).map((m) => 1_772_000_000_000 + m * 60_000), a: fc.integer({ min: 0, max: 50 }), b: fc.integer({ min: 0, max: 50 }),
  }),
  fc.record({ op: fc.constant('retract' as const), row, value: fc.integer({ min: 0, max: 3 }) }),
  fc.record({ op: fc.constant('merge' as const), row, from: row }),
  fc.record({ op: fc.constant('append' as const), from: row }),
)

/** Runs the steps on Partial objects and on columns; appended rows start as copies of their source. */
function run(steps: readonly Step[]): { objects: Partial[], columns: PartialColumns } {
  const objects = Array.from({ length: ROWS }, () => emptyPartial())
  const columns = new PartialColumns()
  for (let i = 0; i < ROWS; i++) {
    columns.add()
  }
  for (const s of steps) {
    switch (s.op) {
      case 'observe':
        observe(objects[s.row]!, s.kind, s.value, s.weight)
        columns.observe(s.row, s.kind, s.value, s.weight)
        break
      case 'latest':
        observeLatest(objects[s.row]!, s.device, s.tsMs, s.a, s.b)
        columns.observeLatest(s.row, s.device, s.tsMs, s.a, s.b)
        break
      case 'retract':
        retract(objects[s.row]!, s.value)
        columns.retract(s.row, s.value)
        break
      case 'merge': {
        // Merging a row into itself doubles it in both.
        const from = s.from === s.row ? mergeInto(emptyPartial(), objects[s.from]!) : objects[s.from]!
        mergeInto(objects[s.row]!, from)
        columns.merge(s.row, columns, s.from)
        break
      }
      case 'append':
        objects.push(mergeInto(emptyPartial(), objects[s.from]!))
        columns.append(columns, s.from)
    }
  }
  return { objects, columns }
}

describe('PartialColumns', () => {
  it('holds exactly what observe, observeLatest, retract and mergeInto make of Partial objects', () => {
    fc.assert(fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
      const { objects, columns } = run(steps)
      expect(columns.size).toBe(objects.length)
      objects.forEach((p, i) => {
        expect(columns.partial(i)).toEqual(p)
      })
    }), { numRuns: 2000 })
  })

  it('copies a shared histogram before either side changes it', () => {
    const t = new PartialColumns()
    const a = t.add()
    t.observe(a, 'histogram', 40)
    const b = t.append(t, a)
    t.observe(b, 'histogram', 40)
    t.observe(a, 'histogram', 0)
    expect(t.partial(a).hist).toEqual({ 32: 1, '-1000': 1 })
    expect(t.partial(b).hist).toEqual({ 32: 2 })
  })

  it('gives a live view of a row', () => {
    const t = new PartialColumns()
    const i = t.add()
    const view = t.view(i)
    view.sum = 3
    view.n = 2
    t.observe(i, 'sum', 1)
    expect([view.n, view.sum, t.partial(i).sum]).toEqual([3, 4, 4])
  })

  it('throws for latest_sum observations as observe does', () => {
    const t = new PartialColumns()
    expect(() => t.observe(t.add(), 'latest_sum', 1)).toThrow(/observeLatest/)
  })
})
