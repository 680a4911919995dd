import type { RegionLevel, RegionNode } from '../wire/api.js'

export const REGION_LEVELS: readonly RegionLevel[] = ['city', 'district', 'street', 'community']

/** Polygon or MultiPolygon coordinates as in GeoJSON: rings of [lon, lat]. */
export type Geometry =
  | { type: 'Polygon', coordinates: number[][][] }
  | { type: 'MultiPolygon', coordinates: number[][][][] }

export interface RegionFeature {
  type: 'Feature'
  properties: { id: string, name: string, name_en: string, level: RegionLevel, parent: string | null }
  geometry: Geometry | null
}

export interface Region {
  id: string
  name: string
  nameEn: string
  level: RegionLevel
  parent: string | null
  geometry: Geometry | null
  children: string[]
  /** This region and every ancestor up to the root, leaf first. */
  lineage: string[]
}

export class RegionTreeError extends Error {
  override name = 'RegionTreeError'
}

/** The administrative hierarchy: drives rollups, drill-down and (later) permissions. */
export interface RegionTree {
  root: Region
  regions: ReadonlyMap<string, Region>
  get(id: string): Region | undefined
  children(id: string): Region[]
  leaves(): Region[]
  toNested(id?: string): RegionNode
}

const ID = /^[a-z0-9][a-z0-9-]{0,63}$/

/** Builds and validates the tree from a GeoJSON FeatureCollection; errors name the feature. */
export function loadRegionTree(collection: unknown): RegionTree {
  const features = featuresOf(collection)
  const regions = new Map<string, Region>()
  features.forEach((feature, index) => {
    const region = regionOf(feature, index)
    if (regions.has(region.id)) {
      throw new RegionTreeError(`feature ${index} (${region.id}): duplicate id`)
    }
    regions.set(region.id, region)
  })
  const roots = [...regions.values()].filter((r) => r.parent === null)
  if (roots.length !== 1) {
    throw new RegionTreeError(`expected exactly one root region (parent null), found ${roots.length}: ${roots.map((r) => r.id).join(', ')}`)
  }
  for (const region of regions.values()) {
    if (region.parent === null) {
      continue
    }
    const parent = regions.get(region.parent)
    if (!parent) {
      throw new RegionTreeError(`region ${region.id}: parent ${region.parent} does not exist`)
    }
    if (REGION_LEVELS.indexOf(parent.level) >= REGION_LEVELS.indexOf(region.level)) {
      throw new RegionTreeError(`region ${region.id}: level ${region.level} cannot sit under ${parent.level} ${parent.id}`)
    }
    parent.children.push(region.id)
    // The parent's own id string: maps keyed by region (every rollup's) then compare one object, not text.
    region.parent = parent.id
  }
  for (const region of regions.values()) {
    region.lineage = lineageOf(region, regions)
    if (region.children.length === 0 && !region.geometry) {
      throw new RegionTreeError(`region ${region.id}: a leaf region needs a polygon`)
    }
  }
  return createTree(roots[0]!, regions)
}

function featuresOf(collection: unknown): RegionFeature[] {
  const fc = collection as { type?: unknown, features?: unknown }
  if (fc?.type !== 'FeatureCollection' || !Array.isArray(fc.features)) {
    throw new RegionTreeError('regions must be a GeoJSON FeatureCollection')
  }
  return fc.features as RegionFeature[]
}

function regionOf(feature: RegionFeature, index: number): Region {
  const p = feature?.properties
  const label = `feature ${index}${typeof p?.id === 'string' ? ` (${p.id})` : ''}`
  if (!p || typeof p.id !== 'string' || !ID.test(p.id)) {
    throw new RegionTreeError(`${label}: property id must match ${ID}`)
  }
  if (typeof p.name !== 'string' || typeof p.name_en !== 'string') {
    throw new RegionTreeError(`${label}: properties name and name_en are required`)
  }
  if (!REGION_LEVELS.includes(p.level)) {
    throw new RegionTreeError(`${label}: level must be one of ${REGION_LEVELS.join(', ')}`)
  }
  if (p.parent !== null && typeof p.parent !== 'string') {
    throw new RegionTreeError(`${label}: parent must be a region id or null`)
  }
  const geometry = feature.geometry
  if (geometry && geometry.type !== 'Polygon' && geometry.type !== 'MultiPolygon') {
    throw new RegionTreeError(`${label}: geometry must be a Polygon or MultiPolygon`)
  }
  return { id: p.id, name: p.name, nameEn: p.name_en, level: p.level, parent: p.parent ?? null, geometry: geometry ?? null, children: [], lineage: [] }
}

function lineageOf(region: Region, regions: Map<string, Region>): string[] {
  const lineage: string[] = []
  let current: Region | undefined = region
  while (current) {
    if (lineage.includes(current.id)) {
      throw new RegionTreeError(`region ${region.id}: its parents form a cycle (${lineage.join(' → ')} → ${current.id})`)
    }
    lineage.push(current.id)
    current = current.parent === null ? undefined : regions.get(current.parent)
  }
  return lineage
}

function createTree(root: Region, regions: Map<string, Region>): RegionTree {
  const get = (id: string) => regions.get(id)
  const children = (id: string) => (regions.get(id)?.children ?? []).map((c) => regions.get(c)!)
  const toNested = (id = root.id): RegionNode => {
    const r = regions.get(id)!
    return { id: r.id, name: r.name, name_en: r.nameEn, level: r.level, children: r.children.map((c) => toNested(c)) }
  }
  const leaves = () => [...regions.values()].filter((r) => r.children.length === 0)
  return { root, regions, get, children, leaves, toNested }
}
