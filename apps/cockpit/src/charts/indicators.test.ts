import { describe, expect, it } from 'vitest'
import { levelFor, metricOf, scalePieces } from './indicators'

describe('scalePieces', () => {
  it('turns the TTI levels into bands with readable ranges', () => {
    expect(scalePieces(metricOf('traffic.tti'))).toEqual([
      { lt: 1.5, label: '畅通  <1.5', color: '#22c55e' },
      { gte: 1.5, lt: 1.8, label: '基本畅通  1.5–1.8', color: '#a3e635' },
      { gte: 1.8, lt: 2, label: '轻度拥堵  1.8–2', color: '#facc15' },
      { gte: 2, lt: 2.2, label: '中度拥堵  2–2.2', color: '#f97316' },
      { gte: 2.2, label: '严重拥堵  ≥2.2', color: '#ef4444' },
    ])
  })

  it('scales fraction levels to percent', () => {
    const pieces = scalePieces(metricOf('traffic.parking_occupancy'))
    expect(pieces?.map((p) => p.label)).toEqual(['充足  <70%', '紧张  70–90%', '饱和  ≥90%'])
    expect(pieces?.[1]).toMatchObject({ gte: 70, lt: 90 })
  })

  it('gives PM2.5 the HJ 633 breakpoints with the AQI names', () => {
    const pieces = scalePieces(metricOf('env.pm25'))
    expect(pieces?.map((p) => p.label)).toEqual(['优  <35', '良  35–75', '轻度污染  75–115', '中度污染  115–150', '重度污染  150–250', '严重污染  ≥250'])
  })

  it('has no bands for a metric without levels', () => {
    expect(scalePieces(metricOf('cases.open'))).toBeUndefined()
  })
})

describe('levelFor', () => {
  it.each([
    { metric: 'traffic.tti', value: 1.9, expected: '轻度拥堵' },
    { metric: 'env.aqi', value: 50, expected: '优' },
    { metric: 'env.pm25', value: 80, expected: '轻度污染' },
    { metric: 'traffic.parking_occupancy', value: 0.95, expected: '饱和' },
  ])('puts $metric $value in $expected', ({ metric, value, expected }) => {
    expect(levelFor(metricOf(metric), value)?.name).toBe(expected)
  })

  it('has no level for a missing value', () => {
    expect(levelFor(metricOf('traffic.tti'), null)).toBeUndefined()
  })
})
