import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { findMetric } from '@city/metrics'
import { ApiError, RegionId, SeriesResponse, SeriesStep } from '@city/metrics/wire'
import { BadRangeError, NoHistoryError, TooManyPointsError, UnknownMetricError, UnknownRegionError } from '../errors.js'
import { loadSeries, STEP_MS } from '../queries/series.js'

const MAX_POINTS = 1500
const COARSER: Record<string, string> = { '1m': '1h', '1h': '1h' }

const querystring = Type.Object({
  metric: Type.String({ minLength: 1 }),
  region: RegionId,
  from: Type.String({ format: 'date-time' }),
  to: Type.String({ format: 'date-time' }),
  step: SeriesStep,
})

const series: FastifyPluginAsyncTypebox = async (app) => {
  const schema = { querystring, response: { 200: SeriesResponse, 400: ApiError, 404: ApiError } }
  app.get('/', { schema }, async ({ query }) => {
    const metric = findMetric(query.metric)
    if (!metric) {
      throw new UnknownMetricError(query.metric)
    }
    if (metric.kind === 'open_cases' || metric.kind === 'overdue_cases') {
      throw new NoHistoryError(metric.id)
    }
    if (!app.city.tree.get(query.region)) {
      throw new UnknownRegionError(query.region)
    }
    const fromMs = Date.parse(query.from)
    const toMs = Date.parse(query.to)
    if (fromMs >= toMs) {
      throw new BadRangeError(`from (${query.from}) must be before to (${query.to})`)
    }
    const points = Math.ceil((toMs - fromMs) / STEP_MS[query.step])
    if (points > MAX_POINTS) {
      throw new TooManyPointsError(points, query.step, COARSER[query.step]!)
    }
    return loadSeries(app.city.db, { metric: metric.id, region: query.region, fromMs, toMs, step: query.step })
  })
}

export default series
