import { describe, expect, it } from 'vitest'
import { emptyPartial, hourStart, loadRegionTree, localDayStart, mergeInto, type Partial, type RegionTree } from '@city/metrics'
import { tinyCityGeo } from '../__fixtures__/tiny-city.js'
import { PartialTable, type BucketPartial } from '../pipeline/partial-table.js'
import { rollUp, type Resolution } from './rollup.js'

/** The definition: every leaf row merged into each region of its lineage, at each resolution. */
function rollUpByDefinition(leaves: readonly BucketPartial[], tree: RegionTree, timeZone: string): Record<Resolution, Map<string, Partial>> {
  const out = { '1m': new Map<string, Partial>(), '1h': new Map<string, Partial>(), '1d': new Map<string, Partial>() }
  const add = (res: Resolution, region: string, metric: string, bucketMs: number, p: Partial) => {
    const key = `${region}|${metric}|${bucketMs}`
    out[res].set(key, mergeInto(out[res].get(key) ?? emptyPartial(), p))
  }
  for (const leaf of leaves) {
    const hour = hourStart(leaf.bucketMs)
    for (const region of tree.get(leaf.region)!.lineage) {
      add('1m', region, leaf.metric, leaf.bucketMs, leaf.partial)
      add('1h', region, leaf.metric, hour, leaf.partial)
      add('1d', region, leaf.metric, localDayStart(hour, timeZone), leaf.partial)
    }
  }
  return out
}

/** Deterministic pseudo-random numbers (mulberry32). */
function random(seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

// The tiny city plus a street without communities, so leaves sit at two depths.
const tree = loadRegionTree({
  ...tinyCityGeo,
  features: [...tinyCityGeo.features, {
    type: 'Feature', properties: { id: 's3', name: 's3名', name_en: 's3', level: 'street', parent: 'd2' },
    geometry: { type: 'Polygon', coordinates: [[[1, 0], [2, 0], [2, 1], [1, 1], [1, 0]]] },
  }],
})
const LEAVES = ['k1', 'k2', 'k3', 'k4', 's3']
const START = Date.parse('2026-03-28T20:00:00Z')

/** Leaf rows with a few observations each, in random regions, metrics and minutes. */
function makeLeaves(seed: number, count: number): PartialTable {
  const next = random(seed)
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)]!
  const table = new PartialTable()
  for (let k = 0; k < count; k++) {
    const metric = pick(['traffic.flow', 'traffic.speed', 'traffic.speed_p15', 'traffic.tti', 'traffic.parking_occupancy', 'env.noise'])
    const i = table.row(pick(LEAVES), metric, START + Math.floor(next() * 600) * 60_000)
    for (let o = 0; o < 1 + Math.floor(next() * 3); o++) {
      const value = Math.round(next() * 1000) / 10
      if (metric === 'traffic.parking_occupancy') {
        table.columns.observeLatest(i, pick(['p1', 'p2', 'p3']), START + Math.floor(next() * 10) * 1000, value, 120)
      } else {
        table.columns.observe(i, metric === 'traffic.speed_p15' ? 'histogram' : metric === 'traffic.tti' ? 'weighted_mean' : metric === 'env.noise' ? 'energy_mean' : 'mean', value, next() * 5)
      }
    }
  }
  return table
}

function expectSameRows(table: PartialTable, expected: Map<string, Partial>): void {
  expect(table.size).toBe(expected.size)
  for (const row of table.toRows()) {
    const want = expected.get(`${row.region}|${row.metric}|${row.bucketMs}`)!
    expect(want, `${row.region} ${row.metric} ${row.bucketMs}`).toBeDefined()
    const { sum, w, ...exact } = row.partial
    const { sum: wantSum, w: wantW, ...wantExact } = want
    expect(exact).toEqual(wantExact)
    // Sums merge in another order than the definition's; they agree to rounding.
    expect(Math.abs(sum - wantSum)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(wantSum)))
    expect(Math.abs(w - wantW)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(wantW)))
  }
}

describe('rollUp', () => {
  it.each([
    ['Asia/Shanghai', 1], ['Asia/Kathmandu', 2], ['Europe/Berlin', 3], ['America/Havana', 4],
  ])('equals merging every leaf into its whole lineage (%s)', (timeZone, seed) => {
    const leaves = makeLeaves(seed, 1500)
    const expected = rollUpByDefinition(leaves.toRows(), tree, timeZone)
    const rolled = rollUp(leaves, tree, timeZone)
    for (const res of ['1m', '1h', '1d'] as const) {
      expectSameRows(rolled[res], expected[res])
    }
  })

  it('takes over its input as the minute table, also with rows of inner regions among the leaves', () => {
    const leaves = makeLeaves(5, 600)
    leaves.columns.observe(leaves.row('s1', 'traffic.flow', leaves.bucketOf(0)), 'sum', 7)
    const before = leaves.toRows()
    const rolled = rollUp(leaves, tree, 'Asia/Shanghai')
    expect(rolled['1m']).toBe(leaves)
    const expected = rollUpByDefinition(before, tree, 'Asia/Shanghai')
    for (const res of ['1m', '1h', '1d'] as const) {
      expectSameRows(rolled[res], expected[res])
    }
    // Hour rows share histograms and device maps with minute rows; changing one copies it first.
    const minuteRows = rolled['1m'].toRows()
    for (let i = 0; i < rolled['1h'].size; i++) {
      rolled['1h'].columns.observe(i, 'histogram', 99)
    }
    expect(rolled['1m'].toRows()).toEqual(minuteRows)
  })
})
