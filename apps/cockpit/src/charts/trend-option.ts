import type { TrendPoint } from '@city/metrics/wire'
import { formatHourMinute, NO_DATA } from '@/lib/format'
import { COLORS, FONT_FAMILY, NUMBER_FONT_FAMILY, axisTooltip, type CockpitChartOption } from './theme'

export interface TrendLine {
  name: string
  color: string
  points: readonly TrendPoint[]
  /** Unit in the tooltip when it differs from the axis unit. */
  unit?: string
}

/** Which metric of `snapshot.trend` a line draws, and how it is labelled. */
export interface TrendSpec {
  metricId: string
  name: string
  color: string
  unit?: string
}

export interface TrendOptionInput {
  lines: readonly TrendLine[]
  /** Printed on the y axis and in the tooltip. */
  unit: string
  decimals: number
  /** Root font size / 16: ECharts sizes text in px. */
  scale: number
  /** Multiply values for display, e.g. 100 for fractions shown as percent. @default 1 */
  factor?: number
  /** Smallest y range shown, so that noise on a flat line does not fill the chart (e.g. 0.5 for TTI). */
  minSpan?: number
  /** The y axis never starts below this (e.g. 1 for TTI, 0 for counts). */
  floor?: number
}

const MINUTE_MS = 60_000

/**
 * Drops the minute still being filled: for counters (vehicles per minute) its partial sum would show as
 * a sudden drop at the live end of the chart.
 */
export function completeMinutes(points: readonly TrendPoint[], asOfMs: number): TrendPoint[] {
  return points.filter(([t]) => t + MINUTE_MS <= asOfMs)
}

/** 1, 2 or 5 times a power of ten, at least `raw`: axis steps people read at a glance. */
function niceStep(raw: number): number {
  const power = 10 ** Math.floor(Math.log10(raw))
  const step = [1, 2, 5, 10].map((m) => m * power).find((candidate) => candidate >= raw - 1e-12)
  return step ?? 10 * power
}

/**
 * Explicit y bounds only where the automatic ones would mislead: a range narrower than `minSpan` is widened
 * around the data, kept above `floor` and snapped outward to a round step; otherwise ECharts picks nice
 * bounds itself.
 */
export function yRange(values: readonly number[], minSpan = 0, floor = -Infinity): { min?: number, max?: number } {
  if (values.length === 0) {
    return {}
  }
  let min = Math.min(...values)
  let max = Math.max(...values)
  if (max - min >= minSpan) {
    return min < floor ? { min: floor } : {}
  }
  min -= (minSpan - (max - min)) / 2
  max = min + minSpan
  if (min < floor) {
    max += floor - min
    min = floor
  }
  const step = niceStep(minSpan / 4)
  const snap = (value: number) => Number(value.toFixed(10))
  return { min: snap(Math.floor(snap(min / step)) * step), max: snap(Math.ceil(snap(max / step)) * step) }
}

function formatValue(value: unknown, decimals: number): string {
  return typeof value === 'number' && Number.isFinite(value) ? value.toFixed(decimals) : NO_DATA
}

function areaGradient(color: string) {
  return {
    type: 'linear' as const,
    x: 0, y: 0, x2: 0, y2: 1,
    colorStops: [{ offset: 0, color: `${color}66` }, { offset: 1, color: `${color}00` }],
  }
}

/** A 60-minute live trend: one smooth area line per metric, gaps where a minute has no data. */
export function buildTrendOption(input: TrendOptionInput): CockpitChartOption {
  const { lines, unit, decimals, scale, factor = 1, minSpan, floor } = input
  const times = lines.flatMap((line) => line.points.map(([t]) => t))
  const values = lines.flatMap((line) => line.points.flatMap(([, v]) => (v === null ? [] : [v * factor])))
  const axisText = { color: COLORS.muted, fontSize: 12 * scale, fontFamily: NUMBER_FONT_FAMILY }
  return {
    backgroundColor: 'transparent',
    animationDurationUpdate: 300,
    grid: { left: 8 * scale, right: 14 * scale, top: 30 * scale, bottom: 4 * scale, containLabel: true },
    legend: {
      show: lines.length > 1,
      right: 4 * scale,
      top: 0,
      itemWidth: 14 * scale,
      itemHeight: 8 * scale,
      textStyle: { color: COLORS.text, fontSize: 12 * scale, fontFamily: FONT_FAMILY },
    },
    tooltip: {
      ...axisTooltip(scale),
      formatter: (params) => {
        const rows = (Array.isArray(params) ? params : [params]) as { value: unknown, seriesName: string, seriesIndex: number, marker: string }[]
        const time = Array.isArray(rows[0]?.value) ? formatHourMinute((rows[0].value as number[])[0] ?? Number.NaN) : ''
        const body = rows.map((row) => {
          const value = formatValue(Array.isArray(row.value) ? row.value[1] : undefined, decimals)
          const rowUnit = lines[row.seriesIndex]?.unit ?? unit
          return `${row.marker}${row.seriesName}：<b>${value}</b> ${value === NO_DATA ? '' : rowUnit}`
        })
        return [time, ...body].join('<br/>')
      },
    },
    xAxis: {
      type: 'time',
      min: times.length > 0 ? Math.min(...times) : undefined,
      max: times.length > 0 ? Math.max(...times) : undefined,
      splitNumber: 4,
      axisLine: { lineStyle: { color: COLORS.axis } },
      axisTick: { show: false },
      splitLine: { show: false },
      // The ends are the first and last minute, not round times; their labels would collide with the y axis.
      axisLabel: {
        ...axisText,
        formatter: (value: number) => formatHourMinute(value),
        hideOverlap: true,
        showMinLabel: false,
        showMaxLabel: false,
      },
    },
    yAxis: {
      type: 'value',
      name: unit,
      nameGap: 8 * scale,
      nameTextStyle: { color: COLORS.muted, fontSize: 12 * scale, align: 'left', fontFamily: FONT_FAMILY },
      scale: true,
      splitNumber: 3,
      ...yRange(values, minSpan, floor),
      axisLabel: { ...axisText, formatter: (value: number) => String(Number(value.toFixed(decimals))) },
      splitLine: { lineStyle: { color: COLORS.split, type: 'dashed' } },
    },
    series: lines.map((line) => ({
      type: 'line',
      name: line.name,
      smooth: 0.3,
      showSymbol: false,
      connectNulls: false,
      lineStyle: { color: line.color, width: 2 * scale, shadowColor: line.color, shadowBlur: 8 * scale },
      itemStyle: { color: line.color },
      areaStyle: { color: areaGradient(line.color) },
      data: line.points.map(([t, v]) => [t, v === null ? null : v * factor]),
    })),
  }
}
