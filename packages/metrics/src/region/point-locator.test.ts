import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { containsPoint, createPointLocator } from './point-locator.js'
import { loadRegionTree, type Geometry } from './region-tree.js'

const square = (x0: number, y0: number, x1: number, y1: number): number[][] =>
  [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]

/** A 10×10 square with a 4×4 hole in the middle. */
const WITH_HOLE: Geometry = { type: 'Polygon', coordinates: [square(0, 0, 10, 10), square(3, 3, 7, 7)] }
/** Two separate squares, with a gap between them that lies inside their joint bounding box. */
const TWO_PARTS: Geometry = { type: 'MultiPolygon', coordinates: [[square(20, 0, 30, 10)], [square(40, 20, 50, 30)]] }
/** Fills part of the hole of WITH_HOLE; their bounding boxes overlap. */
const IN_THE_HOLE: Geometry = { type: 'Polygon', coordinates: [square(4, 4, 6, 6)] }
/** A triangle, so that not every edge is axis-aligned. */
const TRIANGLE: Geometry = { type: 'Polygon', coordinates: [[[60, 0], [70, 0], [60, 10], [60, 0]]] }

function feature(id: string, level: string, parent: string | null, geometry: Geometry | null = null) {
  return { type: 'Feature', properties: { id, name: id, name_en: id, level, parent }, geometry }
}

const tree = loadRegionTree({
  type: 'FeatureCollection',
  features: [
    feature('city', 'city', null),
    feature('d1', 'district', 'city'),
    feature('ring', 'community', 'd1', WITH_HOLE),
    feature('core', 'community', 'd1', IN_THE_HOLE),
    feature('pair', 'community', 'd1', TWO_PARTS),
    feature('tri', 'district', 'city', TRIANGLE),
  ],
})

describe('createPointLocator', () => {
  const locator = createPointLocator(tree)

  it.each<[string, number, number, string | undefined]>([
    ['inside the outer ring of a polygon with a hole', 1, 1, 'ring'],
    ['between the hole and the outer ring', 5, 8, 'ring'],
    ['in a hole that no region fills', 3.5, 3.5, undefined],
    ['in a hole another region fills', 5, 5, 'core'],
    ['in the first part of a MultiPolygon', 25, 5, 'pair'],
    ['in the second part of a MultiPolygon', 45, 25, 'pair'],
    ['in the gap between the parts of a MultiPolygon', 35, 15, undefined],
    ['inside a triangle', 62, 2, 'tri'],
    ['in a triangle\'s bounding box but outside it', 69, 9, undefined],
    ['outside every region', 100, 100, undefined],
    ['west of every region', -1, 5, undefined],
  ])('locates a point %s', (_, lon, lat, expected) => {
    expect(locator.locate(lon, lat)).toBe(expected)
  })

  it('finds the cell of a random point in a grid of communities', () => {
    const size = 4
    const cells = Array.from({ length: size * size }, (_, k) => {
      const [i, j] = [k % size, Math.floor(k / size)]
      const x = 120 + i * 0.01
      const y = 30 + j * 0.01
      return feature(`cell-${i}-${j}`, 'community', 'city', { type: 'Polygon', coordinates: [square(x, y, x + 0.01, y + 0.01)] })
    })
    const grid = createPointLocator(loadRegionTree({ type: 'FeatureCollection', features: [feature('city', 'city', null), ...cells] }))
    const inside = fc.double({ min: 0.05, max: 0.95, noNaN: true })
    fc.assert(fc.property(fc.nat(size - 1), fc.nat(size - 1), inside, inside, (i, j, fx, fy) => {
      expect(grid.locate(120 + (i + fx) * 0.01, 30 + (j + fy) * 0.01)).toBe(`cell-${i}-${j}`)
    }))
    expect(grid.locate(119.99, 30.005)).toBeUndefined()
  })
})

describe('containsPoint', () => {
  it.each<[string, Geometry, number, number, boolean]>([
    ['a point inside a square', { type: 'Polygon', coordinates: [square(0, 0, 2, 2)] }, 1, 1, true],
    ['a point outside a square', { type: 'Polygon', coordinates: [square(0, 0, 2, 2)] }, 3, 1, false],
    ['a point in a hole', WITH_HOLE, 5, 5, false],
    ['a point around a hole', WITH_HOLE, 2, 5, true],
    ['a point in either part of a MultiPolygon', TWO_PARTS, 41, 21, true],
    ['a point between the parts of a MultiPolygon', TWO_PARTS, 35, 5, false],
  ])('decides %s', (_, geometry, lon, lat, expected) => {
    expect(containsPoint(geometry, lon, lat)).toBe(expected)
  })

  it('does not care about the winding order of a ring', () => {
    const clockwise: Geometry = { type: 'Polygon', coordinates: [[...square(0, 0, 2, 2)].reverse()] }
    expect(containsPoint(clockwise, 1, 1)).toBe(true)
    expect(containsPoint(clockwise, 3, 3)).toBe(false)
  })
})
