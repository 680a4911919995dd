import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { findMetric, type MetricDef, type Region, type RegionTree } from '@city/metrics'
import { ApiError, RegionId, SeriesCompare, SeriesResponse, SeriesStep } from '@city/metrics/wire'
import { CsvFormat, sendCsv, seriesCsv, wantsCsv } from '../csv.js'
import { BadCompareError, BadRangeError, formatSchemaErrors, NoHistoryError, TooManyPointsError, UnknownMetricError, UnknownRegionError } from '../errors.js'
import { countBuckets, STEPS } from '../queries/buckets.js'
import { loadSeries } from '../queries/series.js'

const MAX_POINTS = 2000

const querystring = Type.Object({
  metric: Type.String({ minLength: 1, description: 'metric id, see GET /api/v1/metrics' }),
  region: RegionId,
  from: Type.String({ format: 'date-time' }),
  to: Type.String({ format: 'date-time' }),
  step: SeriesStep,
  compare: Type.Optional(SeriesCompare),
  format: Type.Optional(CsvFormat),
})

/** History of one metric in one region: JSON, or CSV for Excel (Accept: text/csv or ?format=csv). */
const series: FastifyPluginAsyncTypebox = async (app) => {
  const schema = { querystring, response: { 200: SeriesResponse, 400: ApiError, 404: ApiError } }
  app.get('/', { schema, schemaErrorFormatter: formatSchemaErrors }, async ({ query, headers }, reply) => {
    const { db, tree, timeZone } = app.city
    const metric = historyMetricOf(query.metric)
    const region = regionOf(tree, query.region)
    const { fromMs, toMs } = rangeOf(query.from, query.to)
    checkPoints(query.step, query.compare, fromMs, toMs, timeZone)
    const data = await loadSeries(db, { metric, region: region.id, fromMs, toMs, step: query.step, compare: query.compare, timeZone })
    return wantsCsv(query.format, headers.accept) ? sendCsv(reply, seriesCsv(data, metric, region.name, timeZone)) : data
  })
}

/** A catalog metric that has stored history (open and overdue cases are current states only). */
export function historyMetricOf(id: string): MetricDef {
  const metric = findMetric(id)
  if (!metric) {
    throw new UnknownMetricError(id)
  }
  if (metric.kind === 'open_cases' || metric.kind === 'overdue_cases') {
    throw new NoHistoryError(metric.id)
  }
  return metric
}

export function regionOf(tree: RegionTree, id: string): Region {
  const region = tree.get(id)
  if (!region) {
    throw new UnknownRegionError(id)
  }
  return region
}

export function rangeOf(from: string, to: string): { fromMs: number, toMs: number } {
  const fromMs = Date.parse(from)
  const toMs = Date.parse(to)
  if (fromMs >= toMs) {
    throw new BadRangeError(`from (${from}) must be before to (${to})`)
  }
  return { fromMs, toMs }
}

function checkPoints(step: SeriesStep, compare: SeriesCompare | undefined, fromMs: number, toMs: number, timeZone: string) {
  if (compare === 'week' && step === '1mo') {
    throw new BadCompareError(compare, step, 'a month shifted back 7 days is no calendar month; use compare=prev or compare=year')
  }
  const points = countBuckets(fromMs, toMs, step, timeZone)
  if (points <= MAX_POINTS) {
    return
  }
  const fits = STEPS.slice(STEPS.indexOf(step) + 1).find((s) => countBuckets(fromMs, toMs, s, timeZone) <= MAX_POINTS)
  if (!fits) {
    throw new BadRangeError(`the range holds ${points} points at step ${step}, over the limit of ${MAX_POINTS}, and no coarser step fits; shorten the range`)
  }
  throw new TooManyPointsError(points, step, MAX_POINTS, fits)
}

export default series
