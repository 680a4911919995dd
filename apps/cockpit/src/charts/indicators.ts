import { AQI_LEVELS, findMetric, type Level, type MetricDef } from '@city/metrics'
import { isFraction } from '@/lib/format'

/** The indicators the map and the ranking can be coloured by; all use the metric's "current" window. */
export const MAP_INDICATORS = [
  { metricId: 'traffic.tti', label: '拥堵指数' },
  { metricId: 'env.aqi', label: 'AQI' },
  { metricId: 'env.pm25', label: 'PM2.5' },
  { metricId: 'env.noise', label: '噪声' },
  { metricId: 'traffic.parking_occupancy', label: '停车占用' },
  { metricId: 'cases.open', label: '在办案件' },
] as const

export type MapIndicatorId = (typeof MAP_INDICATORS)[number]['metricId']

/** One band of a map or legend scale, in display units (fractions already in percent). */
export interface ScalePiece {
  gte?: number
  lt?: number
  label: string
  color: string
}

// PM2.5 has no levels in the catalog; these are the HJ 633-2012 24-hour IAQI breakpoints (µg/m³),
// named and coloured like the AQI categories they map to.
const PM25_BREAKS = [35, 75, 115, 150, 250, Infinity]
const PM25_LEVELS: readonly Level[] = AQI_LEVELS.map((level, i) => ({ ...level, below: PM25_BREAKS[i] ?? Infinity }))

export function metricOf(id: string): MetricDef {
  const metric = findMetric(id)
  if (!metric) {
    throw new Error(`metric ${id} is not in the catalog`)
  }
  return metric
}

export function levelsFor(metric: MetricDef): readonly Level[] | undefined {
  return metric.id === 'env.pm25' ? PM25_LEVELS : metric.levels
}

function bound(value: number, fraction: boolean): string {
  return String(Number((fraction ? value * 100 : value).toFixed(2)))
}

/** Catalog levels as visualMap pieces with readable ranges; undefined when the metric has no levels. */
export function scalePieces(metric: MetricDef): ScalePiece[] | undefined {
  const levels = levelsFor(metric)
  if (!levels) {
    return undefined
  }
  const fraction = isFraction(metric)
  const factor = fraction ? 100 : 1
  const unit = fraction ? '%' : ''
  let lower: number | undefined
  return levels.map((level) => {
    const piece: ScalePiece = { label: level.name, color: level.color }
    if (lower !== undefined) {
      piece.gte = lower * factor
    }
    if (Number.isFinite(level.below)) {
      piece.lt = level.below * factor
    }
    if (lower === undefined) {
      piece.label = `${level.name}  <${bound(level.below, fraction)}${unit}`
    } else if (!Number.isFinite(level.below)) {
      piece.label = `${level.name}  ≥${bound(lower, fraction)}${unit}`
    } else {
      piece.label = `${level.name}  ${bound(lower, fraction)}–${bound(level.below, fraction)}${unit}`
    }
    lower = level.below
    return piece
  })
}

/** The level a raw value falls in, with PM2.5 handled like the map does. */
export function levelFor(metric: MetricDef, value: number | null | undefined): Level | undefined {
  const levels = levelsFor(metric)
  if (value === null || value === undefined || !levels) {
    return undefined
  }
  return levels.find((level) => value < level.below)
}
