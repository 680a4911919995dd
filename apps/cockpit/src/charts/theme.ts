import type { BarSeriesOption, LineSeriesOption, MapSeriesOption } from 'echarts/charts'
import type {
  GeoComponentOption,
  GridComponentOption,
  LegendComponentOption,
  TooltipComponentOption,
  VisualMapComponentOption,
} from 'echarts/components'
import type { ComposeOption } from 'echarts/core'

export type CockpitChartOption = ComposeOption<
  | MapSeriesOption | LineSeriesOption | BarSeriesOption
  | GeoComponentOption | GridComponentOption | LegendComponentOption | TooltipComponentOption | VisualMapComponentOption
>

/** Same stacks as styles/theme.css: no web fonts on the wall screens, CJK system fonts first. */
export const FONT_FAMILY = '"PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC", sans-serif'
export const NUMBER_FONT_FAMILY = '"DIN Alternate", "Bahnschrift", "Roboto Mono", "DejaVu Sans Mono", "Noto Sans Mono", monospace'

export const COLORS = {
  text: '#d6ecff',
  muted: '#7fa3c7',
  axis: 'rgba(127, 190, 255, 0.35)',
  split: 'rgba(127, 190, 255, 0.12)',
  cyan: '#00e5ff',
  blue: '#3b82f6',
  green: '#34d399',
  amber: '#fbbf24',
  violet: '#a78bfa',
  noData: '#1c2e4a',
  areaBorder: '#5fd4ff',
  tooltipBg: 'rgba(4, 22, 52, 0.92)',
} as const

/** The tooltip of a time chart: every line's value at the hovered time, along a cyan pointer. */
export function axisTooltip(scale: number): TooltipComponentOption {
  return { ...tooltipStyle(scale), trigger: 'axis', axisPointer: { type: 'line', lineStyle: { color: 'rgba(0, 229, 255, 0.6)' } } }
}

/** Shared tooltip look: dark glass with a cyan edge, text sized for the wall. */
export function tooltipStyle(scale: number): TooltipComponentOption {
  return {
    backgroundColor: COLORS.tooltipBg,
    borderColor: 'rgba(0, 229, 255, 0.6)',
    borderWidth: 1,
    padding: [8 * scale, 12 * scale],
    textStyle: { color: COLORS.text, fontSize: 14 * scale, fontFamily: FONT_FAMILY },
    extraCssText: 'box-shadow: 0 0 12px rgba(0, 229, 255, 0.35); border-radius: 4px;',
  }
}
