import type { RegionLevel } from '@city/metrics/wire'
import { hashString, type Random } from '../random.js'
import { createHexMesh, type HexMesh } from './hex-mesh.js'
import { drawCommunityNames, type PlaceName } from './names.js'
import { growRegions, pickSeeds, settleGroups, type GrowOptions } from './partition.js'
import { CITY, DISTRICTS, type StreetPlan } from './plan.js'
import type { Vec } from './geo.js'
import { traceRings } from './trace.js'

export interface RegionSpec {
  id: string
  name: string
  nameEn: string
  level: RegionLevel
  parent: string | null
  cells: number[]
}

export interface CityLayout {
  mesh: HexMesh
  /** City first, then districts, streets and communities. */
  regions: RegionSpec[]
  /** Index of the community (among the communities) each cell belongs to. */
  leafOf: number[]
}

const CELL_KM = 0.12

/** The city outline: a lobed ellipse, about 25 × 19 km. */
function isInCity([x, y]: Vec): boolean {
  const angle = Math.atan2(y, x)
  const lobes = 1 + 0.07 * Math.sin(2 * angle + 1.1) + 0.05 * Math.sin(3 * angle + 0.4) + 0.03 * Math.sin(5 * angle + 2)
  return (x / 12.5) ** 2 + (y / 9.5) ** 2 <= lobes ** 2
}

export function layOutCity(random: Random): CityLayout {
  const mesh = createHexMesh({ sizeKm: CELL_KM, extentKm: 15, isInside: isInCity, jitter: 0.3, random })
  const all = mesh.cells.map((_, c) => c)
  const city: RegionSpec = { id: CITY.id, name: CITY.name, nameEn: CITY.nameEn, level: 'city', parent: null, cells: all }
  const districtCells = split(mesh, all, DISTRICTS.map((d) => d.anchor), { weights: DISTRICTS.map((d) => d.weight), salt: 11, noiseKm: 3 })
  const names = drawCommunityNames(DISTRICTS.flatMap((d) => d.streets).reduce((n, s) => n + s.communities, 0), random)
  const regions: RegionSpec[] = [city]
  DISTRICTS.forEach((plan, i) => {
    const cells = districtCells[i]!
    regions.push({ id: plan.id, name: plan.name, nameEn: `${plan.pinyin} District`, level: 'district', parent: city.id, cells })
    const streetCells = splitBySize(mesh, cells, plan.streets.map((s) => s.communities), random, { salt: 23 + i, noiseKm: 1.5 })
    plan.streets.forEach((street, j) => {
      regions.push(...layOutStreet(mesh, street, plan.id, streetCells[j]!, names.splice(0, street.communities), random))
    })
  })
  return { mesh, regions, leafOf: leafIndex(mesh, regions) }
}

function layOutStreet(mesh: HexMesh, plan: StreetPlan, parent: string, cells: number[], names: PlaceName[], random: Random): RegionSpec[] {
  const street: RegionSpec = { id: plan.pinyin, name: `${plan.name}街道`, nameEn: `${capitalize(plan.pinyin)} Subdistrict`, level: 'street', parent, cells }
  const groups = split(mesh, cells, pickSeeds(mesh, cells, plan.communities, random), { salt: hashString(plan.pinyin), noiseKm: 0.6 })
  const communities = groups.map((group, k): RegionSpec => {
    const name = names[k]!
    return { id: `${plan.pinyin}-${name.pinyin}`, name: `${name.name}社区`, nameEn: `${capitalize(name.pinyin)} Community`, level: 'community', parent: street.id, cells: group }
  })
  return [street, ...communities]
}

/** Splits into groups and hands the larger groups to the plans that ask for more (communities). */
function splitBySize(mesh: HexMesh, cells: number[], sizes: number[], random: Random, options: GrowOptions): number[][] {
  const groups = split(mesh, cells, pickSeeds(mesh, cells, sizes.length, random), options)
  const bySize = [...groups].sort((a, b) => b.length - a.length)
  const order = sizes.map((size, i) => ({ size, i })).sort((a, b) => b.size - a.size || a.i - b.i)
  const result: number[][] = []
  order.forEach(({ i }, rank) => {
    result[i] = bySize[rank]!
  })
  return result
}

/** Grows groups, retrying with other border noise until no group is empty or wraps around another. */
function split(mesh: HexMesh, cells: number[], seeds: Vec[], options: GrowOptions): number[][] {
  for (let attempt = 0; attempt < 20; attempt++) {
    const groups = settleGroups(mesh, growRegions(mesh, cells, seeds, { ...options, salt: options.salt + attempt * 7919 }))
    if (groups.every((g) => g.length > 0 && traceRings(mesh, g).length === 1)) {
      return groups
    }
  }
  throw new Error(`cannot split ${cells.length} cells into ${seeds.length} simple regions`)
}

function leafIndex(mesh: HexMesh, regions: RegionSpec[]): number[] {
  const leafOf = mesh.cells.map(() => -1)
  regions.filter((r) => r.level === 'community').forEach((leaf, i) => {
    for (const c of leaf.cells) {
      leafOf[c] = i
    }
  })
  return leafOf
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1)
}

