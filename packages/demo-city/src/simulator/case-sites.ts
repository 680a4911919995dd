import { containsPoint, type Geometry, type RegionTree } from '@city/metrics'
import type { Device } from '../device.js'
import { unitOf } from '../random.js'

/** A community where work orders happen, with road names for their titles. */
export interface CaseSite {
  id: string
  /** Community name without 社区, e.g. 桂园. */
  community: string
  roads: string[]
  geometry: Geometry | null
}

export function createCaseSites(tree: RegionTree, devices: readonly Device[]): CaseSite[] {
  const roadsByStreet = new Map<string, Set<string>>()
  for (const device of devices.filter((d) => d.kind === 'segment')) {
    const street = tree.get(device.region)?.parent ?? ''
    const roads = roadsByStreet.get(street) ?? new Set<string>()
    device.name.replace(/段(\(\d+\))?$/, '').split('-').forEach((road) => roads.add(road))
    roadsByStreet.set(street, roads)
  }
  return tree.leaves().map((leaf) => {
    const community = leaf.name.replace(/社区$/, '')
    const known = [...(roadsByStreet.get(leaf.parent ?? '') ?? [])]
    return { id: leaf.id, community, roads: known.length >= 2 ? known : [`${community}路`, `${community}街`], geometry: leaf.geometry }
  })
}

/** A hashed point strictly inside the site, or undefined when it has no polygon or the tries run out. */
export function pointInSite(site: CaseSite, key: number): [number, number] | undefined {
  const geometry = site.geometry
  if (!geometry) {
    return undefined
  }
  const ring = geometry.type === 'Polygon' ? geometry.coordinates[0]! : geometry.coordinates[0]![0]!
  const lons = ring.map((p) => p[0]!)
  const lats = ring.map((p) => p[1]!)
  const [minLon, maxLon, minLat, maxLat] = [Math.min(...lons), Math.max(...lons), Math.min(...lats), Math.max(...lats)]
  for (let attempt = 0; attempt < 30; attempt++) {
    const lon = Math.round((minLon + (maxLon - minLon) * unitOf(key, attempt, 0)) * 1e6) / 1e6
    const lat = Math.round((minLat + (maxLat - minLat) * unitOf(key, attempt, 1)) * 1e6) / 1e6
    if (containsPoint(geometry, lon, lat)) {
      return [lon, lat]
    }
  }
  return undefined
}
