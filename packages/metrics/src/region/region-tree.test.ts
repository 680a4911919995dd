import { describe, expect, it } from 'vitest'
import type { RegionLevel } from '../wire/api.js'
import { loadRegionTree, RegionTreeError, type Geometry } from './region-tree.js'

const square = (x0: number, y0: number, x1: number, y1: number): number[][] =>
  [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
const polygon = (x0: number, y0: number, x1: number, y1: number): Geometry =>
  ({ type: 'Polygon', coordinates: [square(x0, y0, x1, y1)] })

function feature(id: string, level: RegionLevel, parent: string | null, geometry: Geometry | null = null) {
  return { type: 'Feature', properties: { id, name: `区域${id}`, name_en: `Region ${id}`, level, parent }, geometry }
}

const collection = (...features: unknown[]) => ({ type: 'FeatureCollection', features })

/** city ─ d1 ─ s1 ─ c1, c2;  city ─ d2 (a leaf district) */
const CITY = collection(
  feature('city', 'city', null),
  feature('d1', 'district', 'city', polygon(0, 0, 20, 20)),
  feature('s1', 'street', 'd1'),
  feature('c1', 'community', 's1', polygon(0, 0, 10, 10)),
  feature('c2', 'community', 's1', polygon(10, 0, 20, 10)),
  feature('d2', 'district', 'city', polygon(20, 0, 30, 10)),
)

describe('loadRegionTree', () => {
  const tree = loadRegionTree(CITY)

  it('finds the root', () => {
    expect(tree.root.id).toBe('city')
    expect(tree.root.parent).toBeNull()
  })

  it.each<[string, string[]]>([
    ['c1', ['c1', 's1', 'd1', 'city']],
    ['s1', ['s1', 'd1', 'city']],
    ['d2', ['d2', 'city']],
    ['city', ['city']],
  ])('gives %s its lineage from itself up to the root', (id, lineage) => {
    expect(tree.get(id)?.lineage).toEqual(lineage)
  })

  it('lists children in feature order', () => {
    expect(tree.children('city').map((r) => r.id)).toEqual(['d1', 'd2'])
    expect(tree.children('s1').map((r) => r.id)).toEqual(['c1', 'c2'])
    expect(tree.children('c1')).toEqual([])
    expect(tree.children('nowhere')).toEqual([])
  })

  it('lists the regions without children as leaves, whatever their level', () => {
    expect(tree.leaves().map((r) => r.id).sort()).toEqual(['c1', 'c2', 'd2'])
  })

  it('keeps names, levels and geometry', () => {
    expect(tree.get('c2')).toMatchObject({ name: '区域c2', nameEn: 'Region c2', level: 'community', parent: 's1', geometry: polygon(10, 0, 20, 10) })
    expect(tree.get('s1')?.geometry).toBeNull()
    expect(tree.get('nowhere')).toBeUndefined()
    expect(tree.regions.size).toBe(6)
  })

  it('nests the tree as the regions endpoint returns it', () => {
    const leaf = (id: string) => ({ id, name: `区域${id}`, name_en: `Region ${id}`, level: 'community', children: [] })
    expect(tree.toNested()).toEqual({
      id: 'city', name: '区域city', name_en: 'Region city', level: 'city', children: [
        { id: 'd1', name: '区域d1', name_en: 'Region d1', level: 'district', children: [
          { id: 's1', name: '区域s1', name_en: 'Region s1', level: 'street', children: [leaf('c1'), leaf('c2')] },
        ] },
        { id: 'd2', name: '区域d2', name_en: 'Region d2', level: 'district', children: [] },
      ],
    })
  })

  it('nests a subtree from any region', () => {
    expect(tree.toNested('s1').children.map((c) => c.id)).toEqual(['c1', 'c2'])
  })

  it('lets a level be skipped (a community straight under a district)', () => {
    const skipped = loadRegionTree(collection(
      feature('city', 'city', null),
      feature('d1', 'district', 'city'),
      feature('c1', 'community', 'd1', polygon(0, 0, 1, 1)),
    ))
    expect(skipped.get('c1')?.lineage).toEqual(['c1', 'd1', 'city'])
  })

  it('accepts a MultiPolygon leaf', () => {
    const multi: Geometry = { type: 'MultiPolygon', coordinates: [[square(0, 0, 1, 1)], [square(2, 2, 3, 3)]] }
    const t = loadRegionTree(collection(feature('city', 'city', null), feature('d1', 'district', 'city', multi)))
    expect(t.get('d1')?.geometry).toEqual(multi)
  })
})

describe('loadRegionTree rejects', () => {
  const root = feature('city', 'city', null)
  const leaf = (id: string, parent = 'city') => feature(id, 'district', parent, polygon(0, 0, 1, 1))
  const withProps = (props: Record<string, unknown>) => ({ ...leaf('d1'), properties: { ...leaf('d1').properties, ...props } })

  it.each<[string, unknown, RegExp]>([
    ['a plain object', { type: 'Feature' }, /must be a GeoJSON FeatureCollection/],
    ['null', null, /must be a GeoJSON FeatureCollection/],
    ['an array of features', [root], /must be a GeoJSON FeatureCollection/],
    ['a collection without features', { type: 'FeatureCollection' }, /must be a GeoJSON FeatureCollection/],
  ])('%s that is not a FeatureCollection', (_, input, message) => {
    expect(() => loadRegionTree(input)).toThrow(message)
  })

  it.each<[string, unknown[], RegExp]>([
    ['a duplicate id', [root, leaf('d1'), leaf('d1')], /^feature 2 \(d1\): duplicate id$/],
    ['an id with capitals and spaces', [root, withProps({ id: 'Xihu District' })], /^feature 1 \(Xihu District\): property id must match/],
    ['an id that is not a string', [root, withProps({ id: 42 })], /^feature 1: property id must match/],
    ['a feature without properties', [root, { type: 'Feature', geometry: null }], /^feature 1: property id must match/],
    ['a missing name', [root, withProps({ name: undefined })], /^feature 1 \(d1\): properties name and name_en are required$/],
    ['a missing English name', [root, withProps({ name_en: 7 })], /^feature 1 \(d1\): properties name and name_en are required$/],
    ['an unknown level', [root, withProps({ level: 'province' })], /^feature 1 \(d1\): level must be one of city, district, street, community$/],
    ['a parent that is neither an id nor null', [root, withProps({ parent: undefined })], /^feature 1 \(d1\): parent must be a region id or null$/],
    ['a geometry that is not a polygon', [root, { ...leaf('d1'), geometry: { type: 'Point', coordinates: [0, 0] } }], /^feature 1 \(d1\): geometry must be a Polygon or MultiPolygon$/],
    ['two roots', [root, feature('town', 'city', null), leaf('d1')], /found 2: city, town$/],
    ['no root at all', [leaf('d1', 'd2'), leaf('d2', 'd1')], /found 0/],
    ['a parent that does not exist', [root, leaf('d1'), leaf('d3', 'ghost')], /^region d3: parent ghost does not exist$/],
    ['a leaf without a polygon', [root, leaf('d1'), feature('d2', 'district', 'city')], /^region d2: a leaf region needs a polygon$/],
    ['a child at its parent\'s level', [root, feature('s1', 'street', 'city'), feature('s2', 'street', 's1', polygon(0, 0, 1, 1))], /^region s2: level street cannot sit under street s1$/],
    ['a child above its parent\'s level', [root, feature('s1', 'street', 'city'), feature('d1', 'district', 's1', polygon(0, 0, 1, 1))], /^region d1: level district cannot sit under street s1$/],
  ])('%s, naming the feature', (_, features, message) => {
    expect(() => loadRegionTree(collection(...features))).toThrow(RegionTreeError)
    expect(() => loadRegionTree(collection(...features))).toThrow(message)
  })

  // Levels must fall strictly from parent to child, so a cycle always breaks that rule at one of its regions.
  it.each<[string, unknown[], RegExp]>([
    ['a region that is its own parent', [root, feature('d1', 'district', 'd1', polygon(0, 0, 1, 1))], /^region d1: level district cannot sit under district d1$/],
    ['two regions that are each other\'s parent', [root, feature('s1', 'street', 's2'), feature('s2', 'street', 's1', polygon(0, 0, 1, 1))], /^region s[12]: level street cannot sit under street s[12]$/],
    ['a longer cycle under a valid root', [root, feature('d1', 'district', 'c1'), feature('s1', 'street', 'd1'), feature('c1', 'community', 's1', polygon(0, 0, 1, 1))], /^region d1: level district cannot sit under community c1$/],
  ])('%s (a cycle), naming a region on it', (_, features, message) => {
    expect(() => loadRegionTree(collection(...features))).toThrow(message)
  })
})
