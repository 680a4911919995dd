import type { Geometry } from '@city/metrics'
import type { Device } from '../device.js'
import { createRandom } from '../random.js'
import { assertPlanar, toFeatures, type RegionCollection } from './features.js'
import { layOutCity } from './lay-out.js'
import { createPlacement } from './place.js'
import { CITY } from './plan.js'
import { placeSegments } from './segments.js'
import { shapeBorders } from './shape.js'
import { placeAirStations, placeNoiseStations, placeParking } from './stations.js'

const CITY_SEED = 20261123

interface DemoCityData {
  regions: RegionCollection
  devices: Device[]
}

/** Builds the whole demo city from a seed; the same seed always gives byte-identical output. */
export function generateCity(seed = CITY_SEED): DemoCityData {
  const random = createRandom(seed)
  const layout = layOutCity(random)
  const shape = shapeBorders(layout.mesh, layout.leafOf, { iterations: 6, toleranceKm: 0.04 })
  assertPlanar(shape)
  const features = toFeatures(layout, shape)
  const geometries = new Map(features.map((f) => [f.properties.id, f.geometry as Geometry]))
  const placement = createPlacement(layout, geometries)
  const segments = placeSegments(placement, random)
  const devices = [
    ...segments,
    ...placeParking(placement, random),
    ...placeAirStations(placement, random),
    ...placeNoiseStations(placement, segments, random),
  ]
  return { regions: { type: 'FeatureCollection', name: `${CITY.name} ${CITY.nameEn}`, features }, devices }
}
