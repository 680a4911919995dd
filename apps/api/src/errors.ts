import createError from '@fastify/error'

export const UnknownRegionError = createError<[string]>('API_UNKNOWN_REGION', 'region %s does not exist', 404)
export const UnknownMetricError = createError<[string]>('API_UNKNOWN_METRIC', 'metric %s is not in the catalog (see GET /api/v1/metrics)', 400)
export const BadRangeError = createError<[string]>('API_BAD_RANGE', '%s', 400)
export const NoHistoryError = createError<[string]>('API_NO_HISTORY', 'metric %s is a current state with no history; query cases.reported or cases.closed instead', 400)
export const TooManyPointsError = createError<[number, string, number, string]>('API_TOO_MANY_POINTS', 'the range holds %d points at step %s, over the limit of %d; use a coarser step such as %s or a shorter range', 400)
export const BadCompareError = createError<[string, string, string]>('API_BAD_COMPARE', 'compare=%s cannot be used with step %s: %s', 400)
export const NoChildrenError = createError<[string]>('API_NO_CHILDREN', 'parent %s has no child regions to rank; choose a city, district or street', 400)

interface SchemaError { keyword: string, instancePath: string, message?: string | undefined, params: Record<string, unknown> }

/**
 * Route schemaErrorFormatter: Ajv reports a value outside a union of literals once per member; say once
 * which values are allowed, and show what a date-time looks like.
 */
export function formatSchemaErrors(errors: SchemaError[], dataVar: string): Error {
  const allowed = new Map<string, unknown[]>()
  const messages: string[] = []
  for (const e of errors) {
    const name = `${dataVar}${e.instancePath}`
    if (e.keyword === 'const') {
      allowed.set(name, [...(allowed.get(name) ?? []), e.params.allowedValue])
    } else if (e.keyword === 'format' && e.params.format === 'date-time') {
      messages.push(`${name} must be an RFC 3339 date-time with an offset, e.g. 2026-11-23T08:00:00+08:00`)
    } else if (e.keyword !== 'anyOf' || !allowed.has(name)) {
      messages.push(`${name} ${e.message ?? 'is invalid'}`)
    }
  }
  for (const [name, values] of allowed) {
    messages.push(`${name} must be one of ${values.join(', ')}`)
  }
  return new Error(messages.join('; '))
}
