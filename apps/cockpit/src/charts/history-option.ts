import type { SeriesPoint, SeriesStep } from '@city/metrics/wire'
import { formatBucket, NO_DATA } from '@/lib/format'
import { COLORS, FONT_FAMILY, NUMBER_FONT_FAMILY, axisTooltip, type CockpitChartOption } from './theme'
import { yRange } from './trend-option'

export interface HistoryOptionInput {
  points: readonly SeriesPoint[]
  step: SeriesStep
  /** Legend names of the two lines, e.g. 本期 and 环比上期 (compare null: one line). */
  name: string
  compareName: string | null
  unit: string
  decimals: number
  /** 100 for fractions shown as percent. */
  factor: number
  /** Root font size / 16: ECharts sizes text in px. */
  scale: number
  /** Counts and shares start their axis at 0; other values get an axis fitted to them. */
  fromZero: boolean
}

/** A history series: the period as a filled line, the compared one dashed; gaps where a bucket has no data. */
export function buildHistoryOption(input: HistoryOptionInput): CockpitChartOption {
  const { points, step, name, compareName, unit, decimals, factor, scale, fromZero } = input
  const shown = (v: number | null | undefined) => (typeof v === 'number' ? Number((v * factor).toFixed(decimals + 2)) : null)
  const axisText = { color: COLORS.muted, fontSize: 13 * scale, fontFamily: NUMBER_FONT_FAMILY }
  const labels = points.map((p) => formatBucket(p.t, step))
  const shownValues = points.flatMap((p) => [shown(p.value), shown(p.compare)]).filter((v): v is number => v !== null)
  const line = (seriesName: string, color: string, data: (number | null)[], dashed: boolean) => ({
    type: 'line' as const,
    name: seriesName,
    smooth: 0.25,
    showSymbol: data.length <= 40,
    symbolSize: 5 * scale,
    connectNulls: false,
    lineStyle: { color, width: (dashed ? 1.5 : 2.5) * scale, type: dashed ? ('dashed' as const) : ('solid' as const), shadowColor: color, shadowBlur: dashed ? 0 : 8 * scale },
    itemStyle: { color },
    ...(dashed ? {} : { areaStyle: { color: { type: 'linear' as const, x: 0, y: 0, x2: 0, y2: 1, colorStops: [{ offset: 0, color: `${color}55` }, { offset: 1, color: `${color}00` }] } } }),
    data,
  })
  return {
    backgroundColor: 'transparent',
    animationDurationUpdate: 300,
    grid: { left: 12 * scale, right: 20 * scale, top: 40 * scale, bottom: 8 * scale, containLabel: true },
    legend: {
      right: 8 * scale,
      top: 0,
      itemWidth: 18 * scale,
      itemHeight: 8 * scale,
      textStyle: { color: COLORS.text, fontSize: 13 * scale, fontFamily: FONT_FAMILY },
    },
    tooltip: {
      ...axisTooltip(scale),
      formatter: (params) => {
        const rows = (Array.isArray(params) ? params : [params]) as { value: unknown, seriesName: string, marker: string, dataIndex: number }[]
        const body = rows.map((row) => {
          const value = typeof row.value === 'number' ? row.value.toFixed(decimals) : NO_DATA
          return `${row.marker}${row.seriesName}：<b>${value}</b> ${value === NO_DATA ? '' : unit}`
        })
        return [labels[rows[0]?.dataIndex ?? 0] ?? '', ...body].join('<br/>')
      },
    },
    xAxis: {
      type: 'category',
      data: labels,
      boundaryGap: false,
      axisLine: { lineStyle: { color: COLORS.axis } },
      axisTick: { show: false },
      axisLabel: { ...axisText, hideOverlap: true },
    },
    yAxis: {
      type: 'value',
      name: unit,
      nameGap: 10 * scale,
      nameTextStyle: { color: COLORS.muted, fontSize: 13 * scale, align: 'left', fontFamily: FONT_FAMILY },
      scale: !fromZero,
      // A nearly flat line stays flat: at least four steps of the metric's last shown digit but one (TTI 0.4, noise 4 dB).
      ...(fromZero ? { min: 0 } : yRange(shownValues, 4 * 10 ** (1 - decimals))),
      // A share never passes 100 %.
      ...(factor === 100 ? { max: 100 } : {}),
      splitNumber: 4,
      axisLabel: { ...axisText, formatter: (value: number) => String(Number(value.toFixed(decimals))) },
      splitLine: { lineStyle: { color: COLORS.split, type: 'dashed' } },
    },
    series: [
      line(name, COLORS.cyan, points.map((p) => shown(p.value)), false),
      ...(compareName === null ? [] : [line(compareName, COLORS.amber, points.map((p) => shown(p.compare)), true)]),
    ],
  }
}
