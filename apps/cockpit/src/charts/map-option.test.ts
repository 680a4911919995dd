import { describe, expect, it } from 'vitest'
import { metricOf } from './indicators'
import { buildMapOption, type MapItem } from './map-option'

const items: MapItem[] = [
  { id: 'east', name: '东城区', value: 1.92 },
  { id: 'west', name: '西湖区', value: null },
]

type MapSeries = { type: string, map: string, nameProperty: string, data: { name: string, value: number }[], label: { show: boolean, formatter: (p: { name: string }) => string } }
type Tooltip = { formatter: (p: { name: string }) => string }
type Piecewise = { type: string, pieces?: { label: string, color: string }[], max?: number }

function build(metricId: string, list = items, showLabels = true) {
  const option = buildMapOption({ mapName: 'region:demo-city', metric: metricOf(metricId), items: list, scale: 1, showLabels })
  return {
    option,
    series: (option.series as MapSeries[])[0]!,
    tooltip: option.tooltip as Tooltip,
    visualMap: option.visualMap as Piecewise,
  }
}

describe('buildMapOption', () => {
  it('draws the registered map, matching areas by region id', () => {
    const { series } = build('traffic.tti')
    expect(series).toMatchObject({ type: 'map', map: 'region:demo-city', nameProperty: 'id' })
    expect(series.data[0]).toEqual({ name: 'east', value: 1.92 })
  })

  it('leaves an area without data uncoloured instead of drawing 0', () => {
    expect(Number.isNaN(build('traffic.tti').series.data[1]!.value)).toBe(true)
  })

  it('colours by the catalog levels, with their Chinese names in the legend', () => {
    const { visualMap } = build('traffic.tti')
    expect(visualMap.type).toBe('piecewise')
    expect(visualMap.pieces?.map((p) => p.label.split(' ')[0])).toEqual(['畅通', '基本畅通', '轻度拥堵', '中度拥堵', '严重拥堵'])
  })

  it('labels areas with region names', () => {
    expect(build('traffic.tti').series.label.formatter({ name: 'west' })).toBe('西湖区')
  })

  it('shows the name and the formatted value in the tooltip, a dash when missing', () => {
    const { tooltip } = build('traffic.tti')
    expect(tooltip.formatter({ name: 'east' })).toContain('东城区')
    expect(tooltip.formatter({ name: 'east' })).toContain('1.92')
    expect(tooltip.formatter({ name: 'west' })).toContain('—')
  })

  it('shows fractions as percentages', () => {
    const { series, tooltip } = build('traffic.parking_occupancy', [{ id: 'east', name: '东城区', value: 0.853 }])
    expect(series.data[0]!.value).toBeCloseTo(85.3)
    expect(tooltip.formatter({ name: 'east' })).toContain('85.3</b> %')
  })

  it('uses a continuous scale up to the largest value for a metric without levels', () => {
    const { visualMap } = build('cases.open', [{ id: 'east', name: '东城区', value: 40 }, { id: 'west', name: '西湖区', value: 7 }])
    expect(visualMap).toMatchObject({ type: 'continuous', max: 40, text: ['40 件', '0'] })
  })

  it('can hide the area labels', () => {
    expect(build('traffic.tti', items, false).series.label.show).toBe(false)
  })
})
