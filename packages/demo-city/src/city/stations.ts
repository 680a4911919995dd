import type { Device } from '../device.js'
import type { Random } from '../random.js'
import type { LotUse } from '../simulator/patterns.js'
import { distance, toKm } from './geo.js'
import type { Placement, Site } from './place.js'
import { HUB_DISTRICT_ID } from './plan.js'
import { uniqueName } from './segments.js'

const HUB_PARKING = 50
const OTHER_PARKING = 30

const LOT_NAMES: Record<LotUse, readonly string[]> = {
  commercial: ['{c}商业广场停车场', '{s}购物中心停车场', '{c}大厦地下停车场', '{s}医院停车场'],
  residential: ['{c}小区停车场', '{c}花园地面停车场', '{c}家园停车场'],
  mixed: ['{c}公园停车场', '{s}公共停车场', '{c}体育中心停车场'],
}
const LOT_CAPACITY: Record<LotUse, [number, number]> = { commercial: [200, 800], residential: [80, 500], mixed: [50, 300] }

/** Parking lots; the name tells the simulator whether a lot fills by day (商业) or by night (小区). */
export function placeParking(placement: Placement, random: Random): Device[] {
  const hub = placement.sites.filter((s) => s.district === HUB_DISTRICT_ID)
  const other = placement.sites.filter((s) => s.district !== HUB_DISTRICT_ID)
  const names = new Set<string>()
  return Array.from({ length: HUB_PARKING + OTHER_PARKING }, (_, i): Device => {
    const site = random.pick(i < HUB_PARKING ? hub : other)
    const use = random.pick<LotUse>(['commercial', 'commercial', 'residential', 'residential', 'mixed'])
    const templates = LOT_NAMES[use].map((t) => t.replace('{c}', site.shortName).replace('{s}', site.streetName))
    const [min, max] = LOT_CAPACITY[use]
    return {
      id: `park-${String(i + 1).padStart(3, '0')}`,
      kind: 'parking',
      name: uniqueName([random.pick(templates), ...templates], names),
      region: site.id,
      loc: placement.pointIn(site, random),
      capacity: Math.round(random.int(min, max) / 10) * 10,
    }
  })
}

/** One reference station per street (all pollutants), plus a micro station (PM only) in some streets. */
export function placeAirStations(placement: Placement, random: Random): Device[] {
  const stations: Omit<Device, 'id'>[] = []
  for (const sites of byStreet(placement.sites).values()) {
    const first = sites[0]!
    const home = random.pick(sites)
    stations.push({ kind: 'air', name: `${first.streetName}街道空气自动监测站`, region: home.id, loc: placement.pointIn(home, random) })
    if (first.district === HUB_DISTRICT_ID || random.next() < 0.5) {
      const others = sites.filter((s) => s !== home)
      const micro = random.pick(others.length > 0 ? others : sites)
      stations.push({ kind: 'air', name: `${micro.shortName}空气微站`, region: micro.id, loc: placement.pointIn(micro, random) })
    }
  }
  return stations.map((s, i) => ({ id: `air-${String(i + 1).padStart(2, '0')}`, ...s }))
}

/** One noise station per street, next to the fastest road segment the street has. */
export function placeNoiseStations(placement: Placement, segments: readonly Device[], random: Random): Device[] {
  return [...byStreet(placement.sites).values()].map((sites, i): Device => {
    const inStreet = segments.filter((d) => sites.some((s) => s.id === d.region))
    const busiest = [...inStreet].sort((a, b) => (b.freeFlowKmh ?? 0) - (a.freeFlowKmh ?? 0))[0]
    const streetName = sites[0]!.streetName
    const id = `noise-${String(i + 1).padStart(2, '0')}`
    const home = busiest ? sites.find((s) => s.id === busiest.region)! : random.pick(sites)
    const loc = busiest ? nearestPointTo(placement, home, busiest.loc, random) : placement.pointIn(home, random)
    const road = busiest ? busiest.name.split('-')[0]! : '环境'
    return { id, kind: 'noise', name: `${streetName}街道${road}噪声监测点`, region: home.id, loc }
  })
}

function nearestPointTo(placement: Placement, site: Site, target: [number, number], random: Random): [number, number] {
  const candidates = Array.from({ length: 12 }, () => placement.pointIn(site, random))
  const far = (p: [number, number]) => distance(toKm(p), toKm(target))
  return candidates.reduce((best, p) => (far(p) < far(best) ? p : best))
}

function byStreet(sites: readonly Site[]): Map<string, Site[]> {
  const streets = new Map<string, Site[]>()
  for (const site of sites) {
    streets.set(site.street.id, [...(streets.get(site.street.id) ?? []), site])
  }
  return streets
}
