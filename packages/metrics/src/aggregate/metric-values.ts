import { METRICS, isStoredKind, type MetricDef } from '../catalog/metrics.js'
import { aqiOf, POLLUTANTS } from './aqi.js'
import { valueOf, type Partial } from './partial.js'

/** Counts of work orders by current state, which no time bucket holds. */
export interface CaseCounts {
  open: number
  overdue: number
}

/**
 * The value of one metric from the merged partials of its inputs (keyed by metric id) over some window;
 * derived metrics (AQI, on-time rate) are computed here from stored partials, never stored twice.
 */
export function metricValue(metric: MetricDef, partials: ReadonlyMap<string, Partial>, cases?: CaseCounts): number | null {
  const kind = metric.kind
  if (isStoredKind(kind)) {
    const p = partials.get(metric.id)
    return p ? valueOf(p, kind, metric.quantile) : null
  }
  switch (kind) {
    case 'aqi': {
      const means = Object.fromEntries(POLLUTANTS.map((id) => {
        const p = partials.get(`env.${id}`)
        return [id, p ? valueOf(p, 'mean') : null]
      }))
      return aqiOf(means)?.aqi ?? null
    }
    case 'on_time_rate': {
      const closed = partials.get('cases.closed')
      const onTime = partials.get('cases.closed_on_time')
      if (!closed || closed.sum <= 0) {
        return null
      }
      return (onTime?.sum ?? 0) / closed.sum
    }
    case 'open_cases':
      return cases ? cases.open : null
    case 'overdue_cases':
      return cases ? cases.overdue : null
  }
}

/** Values of every catalog metric. */
export function metricValues(partials: ReadonlyMap<string, Partial>, cases?: CaseCounts): Record<string, number | null> {
  return Object.fromEntries(METRICS.map((m) => [m.id, metricValue(m, partials, cases)]))
}

/** Ids of the stored metrics a metric needs (itself, or the inputs of a derived one). */
export function inputsOf(metric: MetricDef): string[] {
  switch (metric.kind) {
    case 'aqi':
      return POLLUTANTS.map((p) => `env.${p}`)
    case 'on_time_rate':
      return ['cases.closed', 'cases.closed_on_time']
    case 'open_cases':
    case 'overdue_cases':
      return []
    default:
      return [metric.id]
  }
}
