import { containsPoint, type Geometry } from '@city/metrics'
import type { Random } from '../random.js'
import { toLonLat, type Vec } from './geo.js'
import type { CityLayout, RegionSpec } from './lay-out.js'

/** A community with what device placement needs to know about it. */
export interface Site {
  id: string
  /** Community name without 社区, e.g. 桂园. */
  shortName: string
  street: RegionSpec
  /** Street name without 街道. */
  streetName: string
  district: string
  geometry: Geometry
  cells: number[]
}

export interface Placement {
  sites: Site[]
  /** A point strictly inside the site, away from its border. */
  pointIn(site: Site, random: Random): [number, number]
  /** The site whose polygon strictly contains the point. */
  locate(point: [number, number]): Site | undefined
}

export function createPlacement(layout: CityLayout, geometries: ReadonlyMap<string, Geometry>): Placement {
  const byId = new Map(layout.regions.map((r) => [r.id, r]))
  const sites = layout.regions.filter((r) => r.level === 'community').map((leaf): Site => {
    const street = byId.get(leaf.parent!)!
    return {
      id: leaf.id,
      shortName: leaf.name.replace(/社区$/, ''),
      street,
      streetName: street.name.replace(/街道$/, ''),
      district: street.parent!,
      geometry: geometries.get(leaf.id)!,
      cells: leaf.cells,
    }
  })
  const locate = (point: [number, number]) => sites.find((s) => containsPoint(s.geometry, point[0], point[1]))
  const interior = new Map(sites.map((s) => [s.id, interiorCells(layout, s.cells)]))
  const pointIn = (site: Site, random: Random): [number, number] => {
    const inner = interior.get(site.id)!
    const candidates = inner.length > 0 ? inner : site.cells
    for (let attempt = 0; attempt < 100; attempt++) {
      const [x, y] = layout.mesh.cells[random.pick(candidates)]!.center
      const point = toLonLat([x + random.between(-0.04, 0.04), y + random.between(-0.04, 0.04)] as Vec)
      if (containsPoint(site.geometry, point[0], point[1])) {
        return point
      }
    }
    throw new Error(`no point found inside ${site.id}`)
  }
  return { sites, pointIn, locate }
}

/** Cells whose neighbours all belong to the site, so a point near their centre is well inside. */
function interiorCells(layout: CityLayout, cells: readonly number[]): number[] {
  const members = new Set(cells)
  return cells.filter((c) => layout.mesh.cells[c]!.neighbors.every((n) => members.has(n)))
}
