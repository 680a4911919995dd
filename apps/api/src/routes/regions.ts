import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ApiError, RegionId, RegionNode, RegionSnapshot } from '@city/metrics/wire'
import { UnknownRegionError } from '../errors.js'
import { loadSnapshot } from '../queries/snapshot.js'

const params = Type.Object({ regionId: RegionId })
const GeoCollection = Type.Object({ type: Type.Literal('FeatureCollection'), features: Type.Array(Type.Unknown()) })

const regions: FastifyPluginAsyncTypebox = async (app) => {
  const { tree } = app.city
  const regionOf = (id: string) => {
    const region = tree.get(id)
    if (!region) {
      throw new UnknownRegionError(id)
    }
    return region
  }

  app.get('/', { schema: { response: { 200: RegionNode } } }, async () => tree.toNested())

  app.get('/:regionId/geo', { schema: { params, response: { 200: GeoCollection, 404: ApiError } } }, async ({ params }) => {
    const region = regionOf(params.regionId)
    const shown = region.children.length > 0 ? tree.children(region.id) : [region]
    return {
      type: 'FeatureCollection' as const,
      features: shown.map((r) => ({
        type: 'Feature', properties: { id: r.id, name: r.name, name_en: r.nameEn, level: r.level }, geometry: r.geometry,
      })),
    }
  })

  app.get('/:regionId/snapshot', { schema: { params, response: { 200: RegionSnapshot, 404: ApiError } } }, async ({ params }) => {
    regionOf(params.regionId)
    const { db, timeZone, staleAfterMs, now } = app.city
    return loadSnapshot(db, tree, params.regionId, { nowMs: now(), timeZone, staleAfterMs })
  })
}

export default regions
