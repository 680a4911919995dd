import type { RegionFeature } from '@city/metrics'
import { segmentsCross, signedArea, toLonLat, type Vec } from './geo.js'
import type { CityLayout, RegionSpec } from './lay-out.js'
import type { BorderShape } from './shape.js'
import { traceRings } from './trace.js'

export interface RegionCollection {
  type: 'FeatureCollection'
  name: string
  features: RegionFeature[]
}

/** GeoJSON features with one counter-clockwise polygon per region, built from the shared borders. */
export function toFeatures(layout: CityLayout, shape: BorderShape): RegionFeature[] {
  return layout.regions.map((region) => ({
    type: 'Feature',
    properties: { id: region.id, name: region.name, name_en: region.nameEn, level: region.level, parent: region.parent },
    geometry: { type: 'Polygon', coordinates: [outline(layout, region, shape)] },
  }))
}

function outline(layout: CityLayout, region: RegionSpec, shape: BorderShape): number[][] {
  const rings = traceRings(layout.mesh, region.cells)
  if (rings.length !== 1) {
    throw new Error(`region ${region.id} has ${rings.length} rings`)
  }
  const points: [number, number][] = []
  for (const v of rings[0]!) {
    const p = toLonLat(shape.position(v))
    const last = points.at(-1)
    if (shape.isKept(v) && (!last || last[0] !== p[0] || last[1] !== p[1])) {
      points.push(p)
    }
  }
  if (signedArea(points) <= 0) {
    throw new Error(`region ${region.id} is not counter-clockwise`)
  }
  return [...points, points[0]!]
}

/** Throws when two border segments cross, which thinning or smoothing could in principle cause. */
export function assertPlanar(shape: BorderShape): void {
  const segments: [Vec, Vec][] = shape.chains.flatMap((chain) =>
    chain.slice(1).map((v, i): [Vec, Vec] => [toLonLat(shape.position(chain[i]!)), toLonLat(shape.position(v))]))
  const cell = 0.003
  const buckets = new Map<string, number[]>()
  segments.forEach(([a, b], i) => {
    for (let x = Math.floor(Math.min(a[0], b[0]) / cell); x <= Math.floor(Math.max(a[0], b[0]) / cell); x++) {
      for (let y = Math.floor(Math.min(a[1], b[1]) / cell); y <= Math.floor(Math.max(a[1], b[1]) / cell); y++) {
        const key = `${x},${y}`
        buckets.set(key, [...(buckets.get(key) ?? []), i])
      }
    }
  })
  for (const members of buckets.values()) {
    members.forEach((i, k) => {
      for (const j of members.slice(k + 1)) {
        const [a, b] = segments[i]!
        const [c, d] = segments[j]!
        if (segmentsCross(a, b, c, d)) {
          throw new Error(`borders cross near ${a.join(',')}`)
        }
      }
    })
  }
}
