import Flatbush from 'flatbush'
import type { Geometry, RegionTree } from './region-tree.js'

/** Finds the leaf region containing a point; a static R-tree over leaf bounding boxes keeps it fast. */
export interface PointLocator {
  locate(lon: number, lat: number): string | undefined
}

export function createPointLocator(tree: RegionTree): PointLocator {
  const leaves = tree.leaves().filter((l) => l.geometry)
  const index = new Flatbush(Math.max(leaves.length, 1))
  for (const leaf of leaves) {
    const [minX, minY, maxX, maxY] = boundsOf(leaf.geometry!)
    index.add(minX, minY, maxX, maxY)
  }
  if (leaves.length === 0) {
    index.add(0, 0, 0, 0)
  }
  index.finish()
  return {
    locate(lon, lat) {
      for (const i of index.search(lon, lat, lon, lat)) {
        const leaf = leaves[i]
        if (leaf && containsPoint(leaf.geometry!, lon, lat)) {
          return leaf.id
        }
      }
      return undefined
    },
  }
}

function polygonsOf(geometry: Geometry): number[][][][] {
  return geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates
}

function boundsOf(geometry: Geometry): [number, number, number, number] {
  let minX = Infinity
  let minY = Infinity
  let maxX = -Infinity
  let maxY = -Infinity
  for (const polygon of polygonsOf(geometry)) {
    for (const [x, y] of polygon[0] ?? []) {
      minX = Math.min(minX, x!)
      minY = Math.min(minY, y!)
      maxX = Math.max(maxX, x!)
      maxY = Math.max(maxY, y!)
    }
  }
  return [minX, minY, maxX, maxY]
}

/** Even-odd ray casting; holes (inner rings) exclude their area. */
export function containsPoint(geometry: Geometry, lon: number, lat: number): boolean {
  return polygonsOf(geometry).some((rings) => {
    let inside = false
    for (const ring of rings) {
      for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
        const [xi, yi] = ring[i] as [number, number]
        const [xj, yj] = ring[j] as [number, number]
        if ((yi > lat) !== (yj > lat) && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) {
          inside = !inside
        }
      }
    }
    return inside
  })
}
