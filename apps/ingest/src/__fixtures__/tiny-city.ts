import { loadRegionTree } from '@city/metrics'

/** A 2×2 grid city: city → 2 districts → 1 street each → 2 communities each, unit squares in lon/lat. */
const square = (x: number, y: number, w: number, h: number) => ({
  type: 'Polygon' as const,
  coordinates: [[[x, y], [x + w, y], [x + w, y + h], [x, y + h], [x, y]]],
})
const feature = (id: string, level: string, parent: string | null, geometry: ReturnType<typeof square>) => ({
  type: 'Feature', properties: { id, name: `${id}名`, name_en: id, level, parent }, geometry,
})

export const tinyCityGeo = {
  type: 'FeatureCollection',
  features: [
    feature('c', 'city', null, square(0, 0, 2, 2)),
    feature('d1', 'district', 'c', square(0, 0, 1, 2)),
    feature('d2', 'district', 'c', square(1, 0, 1, 2)),
    feature('s1', 'street', 'd1', square(0, 0, 1, 2)),
    feature('s2', 'street', 'd2', square(1, 0, 1, 2)),
    feature('k1', 'community', 's1', square(0, 0, 1, 1)),
    feature('k2', 'community', 's1', square(0, 1, 1, 1)),
    feature('k3', 'community', 's2', square(1, 0, 1, 1)),
    feature('k4', 'community', 's2', square(1, 1, 1, 1)),
  ],
}

export const tinyCity = () => loadRegionTree(tinyCityGeo)

export const tinyDevices = [
  { id: 'seg-1', region: 'k1' },
  { id: 'seg-2', region: 'k3' },
  { id: 'park-1', region: 'k2' },
  { id: 'air-1', region: 'k4' },
  { id: 'noise-1', region: 'k1' },
]

const iso = (ms: number) => new Date(ms).toISOString()

/** Builders with overrides, as wire-contract JSON. */
export const makeSegment = (tsMs: number, o: Partial<{ id: string, device: string, flow: number, speed: number, freeFlow: number, region: string }> = {}) => JSON.stringify({
  v: 1, id: o.id ?? `seg@${tsMs}@${Math.random()}`, source: 'traffic', kind: 'segment', device: o.device ?? 'seg-1', ts: iso(tsMs),
  ...(o.region ? { region: o.region } : {}),
  values: { flow: o.flow ?? 10, speed_kmh: o.speed ?? 30, free_flow_kmh: o.freeFlow ?? 60 },
})

export const makeCase = (tsMs: number, o: { case: string, stage: string, region?: string, deadline?: string, id?: string, category?: string }) => JSON.stringify({
  v: 1, id: o.id ?? `${o.case}:${o.stage}:${tsMs}`, source: 'events', kind: 'case', case: o.case, stage: o.stage, ts: iso(tsMs),
  category: o.category ?? 'garbage', channel: 'hotline', severity: 2, title: '垃圾暴露', region: o.region ?? 'k1',
  ...(o.deadline ? { deadline: o.deadline } : {}),
})
