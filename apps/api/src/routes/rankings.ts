import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Region, RegionTree } from '@city/metrics'
import { ApiError, RankingOrder, RankingsResponse, RegionId } from '@city/metrics/wire'
import { CsvFormat, rankingsCsv, sendCsv, wantsCsv } from '../csv.js'
import { BadRangeError, formatSchemaErrors, NoChildrenError } from '../errors.js'
import { loadRankings, resolutionOf } from '../queries/rankings.js'
import { historyMetricOf, rangeOf, regionOf } from './series.js'

/** The longest range merged at each resolution, in days: minute rollups are 1,440 rows a day per region. */
const MAX_DAYS = { '1m': 31, '1h': 400, '1d': 3660 } as const
const FINER_ADVICE = {
  '1m': 'put from and to on whole hours (up to 400 days) or local midnights (up to 3660 days)',
  '1h': 'put from and to on local midnights (up to 3660 days)',
  '1d': 'shorten it',
} as const

const querystring = Type.Object({
  metric: Type.String({ minLength: 1, description: 'metric id, see GET /api/v1/metrics' }),
  parent: RegionId,
  from: Type.String({ format: 'date-time' }),
  to: Type.String({ format: 'date-time' }),
  order: Type.Optional(RankingOrder),
  format: Type.Optional(CsvFormat),
})

/** A region's children ranked by a metric over [from, to), with their ranks in the preceding period. */
const rankings: FastifyPluginAsyncTypebox = async (app) => {
  const schema = { querystring, response: { 200: RankingsResponse, 400: ApiError, 404: ApiError } }
  app.get('/', { schema, schemaErrorFormatter: formatSchemaErrors }, async ({ query, headers }, reply) => {
    const { db, tree, timeZone } = app.city
    const metric = historyMetricOf(query.metric)
    const parent = parentOf(tree, query.parent)
    const { fromMs, toMs } = rangeOf(query.from, query.to)
    checkRange(query.from, query.to, fromMs, toMs, timeZone)
    const data = await loadRankings(db, tree, { metric, parent: parent.id, fromMs, toMs, order: query.order ?? 'desc', timeZone })
    return wantsCsv(query.format, headers.accept) ? sendCsv(reply, rankingsCsv(data, metric, parent.name, timeZone)) : data
  })
}

function parentOf(tree: RegionTree, id: string): Region {
  const parent = regionOf(tree, id)
  if (parent.children.length === 0) {
    throw new NoChildrenError(id)
  }
  return parent
}

function checkRange(from: string, to: string, fromMs: number, toMs: number, timeZone: string) {
  const resolution = resolutionOf(fromMs, toMs, timeZone)
  if (!resolution) {
    throw new BadRangeError(`from (${from}) and to (${to}) must fall on whole minutes: rankings merge stored buckets exactly`)
  }
  const days = (toMs - fromMs) / 86_400_000
  if (days > MAX_DAYS[resolution]) {
    const at = { '1m': 'minute', '1h': 'hour', '1d': 'day' }[resolution]
    throw new BadRangeError(`the range from ${from} to ${to} spans ${Math.ceil(days)} days at ${at} resolution, over the limit of ${MAX_DAYS[resolution]} days; ${FINER_ADVICE[resolution]}`)
  }
}

export default rankings
