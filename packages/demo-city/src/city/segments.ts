import type { Device } from '../device.js'
import type { Random } from '../random.js'
import { distance, toLonLat, type Vec } from './geo.js'
import type { Placement, Site } from './place.js'
import { ARTERIALS, HUB_DISTRICT_ID, type ArterialPlan } from './plan.js'

const SEGMENTS = 300
const HUB_SEGMENTS = 190
const ARTERIAL_SPACING_KM = 0.55

interface Draft {
  site: Site
  loc: [number, number]
  name: string
  freeFlowKmh: number
}

/** Road segments: strung along the arterials, then local roads, denser in the hub district. */
export function placeSegments(placement: Placement, random: Random): Device[] {
  const names = new Set<string>()
  const drafts = ARTERIALS.flatMap((road) => alongArterial(road, placement, names, random))
  const inHub = (site: Site) => site.district === HUB_DISTRICT_ID
  const hubSites = placement.sites.filter(inHub)
  const otherSites = placement.sites.filter((s) => !inHub(s))
  const hubCount = drafts.filter((d) => inHub(d.site)).length
  const localHub = Math.max(0, HUB_SEGMENTS - hubCount)
  const localOther = SEGMENTS - drafts.length - localHub
  for (let i = 0; i < localHub + localOther; i++) {
    const site = random.pick(i < localHub ? hubSites : otherSites)
    drafts.push(localSegment(site, placement.sites.filter((s) => s.street === site.street), placement, names, random))
  }
  return drafts.slice(0, SEGMENTS).map((d, i) => ({
    id: `seg-${String(i + 1).padStart(4, '0')}`,
    kind: 'segment',
    name: d.name,
    region: d.site.id,
    loc: d.loc,
    freeFlowKmh: d.freeFlowKmh,
  }))
}

function alongArterial(road: ArterialPlan, placement: Placement, names: Set<string>, random: Random): Draft[] {
  const drafts: Draft[] = []
  for (const point of samplePath(road.path, ARTERIAL_SPACING_KM)) {
    const loc = toLonLat(point)
    const site = placement.locate(loc)
    if (!site) {
      continue
    }
    const cross = [`${site.shortName}路`, `${site.shortName}街`, `${site.streetName}路`, `${site.shortName}东路`, `${site.shortName}西路`]
    const name = uniqueName(cross.map((c) => `${road.name}-${c}段`), names)
    const freeFlowKmh = Math.min(80, Math.max(30, road.freeFlowKmh + random.int(-5, 5)))
    drafts.push({ site, loc, name, freeFlowKmh })
  }
  return drafts
}

function localSegment(site: Site, siblings: Site[], placement: Placement, names: Set<string>, random: Random): Draft {
  const own = [`${site.shortName}路`, `${site.shortName}街`, `${site.shortName}北路`, `${site.shortName}南路`]
  const crossing = [`${site.streetName}路`, `${site.streetName}大街`, ...siblings.filter((s) => s !== site).map((s) => `${s.shortName}路`)]
  const pairs = own.flatMap((a) => crossing.map((b) => (random.next() < 0.5 ? `${a}-${b}段` : `${b}-${a}段`)))
  const name = uniqueName(shuffle(pairs, random), names)
  const road = name.split('-')[0]!
  return { site, loc: placement.pointIn(site, random), name, freeFlowKmh: freeFlowOf(road, random) }
}

function freeFlowOf(road: string, random: Random): number {
  if (road.endsWith('大街')) {
    return random.int(40, 50)
  }
  if (road.endsWith('街')) {
    return random.int(30, 40)
  }
  return random.int(40, 60)
}

/** The first unused candidate; numbered variants once all are taken. */
export function uniqueName(candidates: readonly string[], used: Set<string>): string {
  let name = candidates.find((c) => !used.has(c))
  for (let n = 2; !name; n++) {
    name = candidates.map((c) => `${c}(${n})`).find((c) => !used.has(c))
  }
  used.add(name)
  return name
}

function samplePath(path: readonly Vec[], spacingKm: number): Vec[] {
  const points: Vec[] = []
  let at = spacingKm / 2
  for (let i = 1; i < path.length; i++) {
    const [a, b] = [path[i - 1]!, path[i]!]
    const length = distance(a, b)
    for (; at < length; at += spacingKm) {
      points.push([a[0] + ((b[0] - a[0]) * at) / length, a[1] + ((b[1] - a[1]) * at) / length])
    }
    at -= length
  }
  return points
}

function shuffle<T>(items: readonly T[], random: Random): T[] {
  const copy = [...items]
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random.next() * (i + 1))
    const swap = copy[i]!
    copy[i] = copy[j]!
    copy[j] = swap
  }
  return copy
}
