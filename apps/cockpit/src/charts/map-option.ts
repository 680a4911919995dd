import type { MetricDef } from '@city/metrics'
import { displayValue, formatMetric, isFraction, metricUnit } from '@/lib/format'
import { scalePieces } from './indicators'
import { COLORS, FONT_FAMILY, tooltipStyle, type CockpitChartOption } from './theme'

export interface MapItem {
  id: string
  name: string
  value: number | null
}

export interface MapOptionInput {
  /** Name the region's GeoJSON was registered under. */
  mapName: string
  metric: MetricDef
  items: readonly MapItem[]
  /** Root font size / 16: ECharts sizes text in px. */
  scale: number
  /** Draw region names on the map (off when there are too many small areas). */
  showLabels: boolean
}

// Below the coloured areas a darker copy of the outline, shifted down, gives the map a raised-slab look.
function shadowLayer(mapName: string, scale: number): CockpitChartOption['geo'] {
  return {
    map: mapName,
    silent: true,
    roam: false,
    layoutCenter: ['50%', '51.6%'],
    layoutSize: '94%',
    itemStyle: {
      areaColor: '#06284e',
      // Same as the fill: inner borders of this layer would show through the translucent areas above.
      borderColor: '#06284e',
      borderWidth: 1,
      shadowColor: 'rgba(0, 200, 255, 0.6)',
      shadowBlur: 24 * scale,
    },
    label: { show: false },
    emphasis: { disabled: true },
    z: 1,
  }
}

// Flat catalog colours glare on a dark wall; let the navy show through the areas a little.
function translucent(color: string, alpha: number): string {
  const hex = /^#([0-9a-f]{6})$/i.exec(color)?.[1]
  if (!hex) {
    return color
  }
  const [r, g, b] = [0, 2, 4].map((i) => Number.parseInt(hex.slice(i, i + 2), 16))
  return `rgba(${r}, ${g}, ${b}, ${alpha})`
}

function visualMapOf(metric: MetricDef, items: readonly MapItem[], scale: number): CockpitChartOption['visualMap'] {
  const common = {
    seriesIndex: 0,
    left: 8 * scale,
    // Room below for the "无数据" key that RegionMap draws in HTML (ECharts pieces cannot match no value).
    bottom: 40 * scale,
    itemWidth: 18 * scale,
    itemHeight: 12 * scale,
    itemGap: 8 * scale,
    textStyle: { color: COLORS.text, fontSize: 13 * scale, fontFamily: FONT_FAMILY },
    backgroundColor: 'rgba(2, 16, 40, 0.6)',
    padding: 8 * scale,
  }
  const pieces = scalePieces(metric)
  if (pieces) {
    return {
      ...common,
      type: 'piecewise',
      pieces: pieces.map((piece) => ({ ...piece, color: translucent(piece.color, 0.78) })),
      orient: 'vertical',
      itemSymbol: 'roundRect',
    }
  }
  const values = items.map((i) => displayValue(metric, i.value)).filter((v): v is number => v !== null)
  const unit = metricUnit(metric)
  const max = Math.max(1, ...values)
  return {
    ...common,
    type: 'continuous',
    min: 0,
    max,
    calculable: false,
    orient: 'vertical',
    itemHeight: 120 * scale,
    text: [`${formatMetric(metric, max)} ${unit}`.trim(), '0'],
    inRange: { color: ['#0e4a7a', '#0fb5d6', '#7ff5ff', '#fbbf24'] },
  }
}

/** Children of a region coloured by one indicator with the catalog's levels; missing data stays grey. */
export function buildMapOption(input: MapOptionInput): CockpitChartOption {
  const { mapName, metric, items, scale, showLabels } = input
  const byId = new Map(items.map((item) => [item.id, item]))
  const unit = isFraction(metric) ? '%' : metricUnit(metric)
  const nameOf = (id: string) => byId.get(id)?.name ?? id

  return {
    backgroundColor: 'transparent',
    animationDurationUpdate: 600,
    tooltip: {
      ...tooltipStyle(scale),
      trigger: 'item',
      formatter: (params) => {
        const { name } = params as { name: string }
        const item = byId.get(name)
        const value = formatMetric(metric, item?.value ?? null)
        return `<b>${nameOf(name)}</b><br/>${metric.name}：<b style="font-size:1.25em">${value}</b> ${value === '—' ? '' : unit}`
      },
    },
    visualMap: visualMapOf(metric, items, scale),
    geo: shadowLayer(mapName, scale),
    series: [{
      type: 'map',
      map: mapName,
      nameProperty: 'id',
      roam: false,
      layoutCenter: ['50%', '50%'],
      layoutSize: '94%',
      z: 2,
      selectedMode: false,
      label: {
        show: showLabels,
        formatter: (params) => nameOf((params as { name: string }).name),
        color: '#ffffff',
        fontSize: 15 * scale,
        fontFamily: FONT_FAMILY,
        textBorderColor: 'rgba(2, 12, 30, 0.9)',
        textBorderWidth: 3 * scale,
      },
      itemStyle: {
        areaColor: COLORS.noData,
        borderColor: COLORS.areaBorder,
        borderWidth: 1.2 * scale,
      },
      emphasis: {
        label: { show: true, color: '#ffffff', fontSize: 16 * scale, fontWeight: 'bold' },
        // areaColor and color both null keep the level colour on hover and during the tour (ECharts' rule).
        itemStyle: {
          areaColor: null as unknown as string,
          color: null as unknown as string,
          borderColor: '#ffffff',
          borderWidth: 2.5 * scale,
          shadowColor: 'rgba(255, 255, 255, 0.9)',
          shadowBlur: 18 * scale,
        },
      },
      data: items.map((item) => ({ name: item.id, value: displayValue(metric, item.value) ?? Number.NaN })),
    }],
  }
}
