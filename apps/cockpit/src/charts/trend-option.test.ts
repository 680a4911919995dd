import { describe, expect, it } from 'vitest'
import { buildTrendOption, completeMinutes, yRange } from './trend-option'

const t0 = Date.parse('2025-11-23T08:00:00Z')
const minute = 60_000

type Line = { type: string, name: string, data: [number, number | null][] }
type Axis = { min?: number, max?: number, axisLabel: { formatter: (v: number) => string } }
type Tooltip = { formatter: (p: unknown) => string }

function build(factor = 1) {
  const option = buildTrendOption({
    lines: [
      { name: 'AQI', color: '#34d399', points: [[t0, 80], [t0 + minute, null], [t0 + 2 * minute, 84]] },
      { name: 'PM2.5', color: '#fbbf24', points: [[t0, 0.5]], unit: 'µg/m³' },
    ],
    unit: '',
    decimals: 1,
    scale: 2,
    factor,
  })
  return { option, series: option.series as Line[], xAxis: option.xAxis as Axis, tooltip: option.tooltip as Tooltip }
}

describe('buildTrendOption', () => {
  it('draws one line per metric', () => {
    expect(build().series.map((s) => [s.type, s.name])).toEqual([['line', 'AQI'], ['line', 'PM2.5']])
  })

  it('keeps a minute without data as a gap, not as 0', () => {
    expect(build().series[0]!.data[1]).toEqual([t0 + minute, null])
  })

  it('multiplies values for display (fractions as percent)', () => {
    expect(build(100).series[1]!.data[0]).toEqual([t0, 50])
  })

  it('spans the x axis over the points and labels it in city time', () => {
    const { xAxis } = build()
    expect([xAxis.min, xAxis.max]).toEqual([t0, t0 + 2 * minute])
    expect(xAxis.axisLabel.formatter(t0)).toBe('16:00')
  })

  it('shows a legend only for more than one line', () => {
    expect(build().option.legend).toMatchObject({ show: true })
  })

  it('prints values with the decimals and a dash for a gap in the tooltip', () => {
    const text = build().tooltip.formatter([
      { value: [t0 + minute, null], seriesName: 'AQI', seriesIndex: 0, marker: '' },
      { value: [t0 + minute, 42], seriesName: 'PM2.5', seriesIndex: 1, marker: '' },
    ])
    expect(text).toBe('16:01<br/>AQI：<b>—</b> <br/>PM2.5：<b>42.0</b> µg/m³')
  })

  it('scales text for big screens', () => {
    const { xAxis } = build()
    expect((xAxis as unknown as { axisLabel: { fontSize: number } }).axisLabel.fontSize).toBe(24)
  })
})

describe('completeMinutes', () => {
  it('leaves out the minute still being counted', () => {
    const points: [number, number | null][] = [[t0, 900], [t0 + minute, 950], [t0 + 2 * minute, 120]]
    expect(completeMinutes(points, t0 + 2 * minute + 30_000)).toEqual([[t0, 900], [t0 + minute, 950]])
  })

  it('keeps a minute that has just ended', () => {
    expect(completeMinutes([[t0, 5]], t0 + minute)).toEqual([[t0, 5]])
  })
})

describe('yRange', () => {
  it('widens a nearly flat line to the smallest span, above the floor', () => {
    expect(yRange([1.0, 1.006], 0.4, 1)).toEqual({ min: 1, max: 1.4 })
  })

  it('centres the smallest span on the data', () => {
    const { min, max } = yRange([50, 52], 6)
    expect([min, max]).toEqual([48, 54])
  })

  it('snaps widened bounds outward to a round step', () => {
    expect(yRange([63.3, 63.5], 6)).toEqual({ min: 60, max: 68 })
    expect(yRange([1.81, 1.83], 0.4, 1)).toEqual({ min: 1.6, max: 2.1 })
  })

  it('leaves a wide enough range to ECharts', () => {
    expect(yRange([10, 90], 6, 0)).toEqual({})
  })

  it('leaves an empty chart to ECharts', () => {
    expect(yRange([], 6, 0)).toEqual({})
  })
})
