import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ApiError, QualityResponse } from '@city/metrics/wire'
import { BadRangeError } from '../errors.js'
import { loadQuality } from '../queries/quality.js'

const Day = Type.String({ format: 'date' })
const querystring = Type.Object({ from: Type.Optional(Day), to: Type.Optional(Day) })

/** Data quality (数据质量): accepted messages and dead letters by source and reason, per local day. */
const quality: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/', { schema: { querystring, response: { 200: QualityResponse, 400: ApiError } } }, async ({ query }) => {
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: app.city.timeZone }).format(app.city.now())
    const from = query.from ?? today
    const to = query.to ?? today
    if (from > to) {
      throw new BadRangeError(`from (${from}) must not be after to (${to})`)
    }
    return loadQuality(app.city.db, from, to)
  })
}

export default quality
