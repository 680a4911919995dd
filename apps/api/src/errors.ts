import createError from '@fastify/error'

export const UnknownRegionError = createError<[string]>('API_UNKNOWN_REGION', 'region %s does not exist', 404)
export const UnknownMetricError = createError<[string]>('API_UNKNOWN_METRIC', 'metric %s is not in the catalog (see GET /api/v1/metrics)', 400)
export const BadRangeError = createError<[string]>('API_BAD_RANGE', '%s', 400)
export const NoHistoryError = createError<[string]>('API_NO_HISTORY', 'metric %s is a current state with no history; query cases.reported or cases.closed instead', 400)
export const TooManyPointsError = createError<[number, string, string]>('API_TOO_MANY_POINTS', 'the range holds %d points at step %s; use a coarser step such as %s or a shorter range', 400)
