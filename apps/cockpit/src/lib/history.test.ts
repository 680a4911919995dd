import { describe, expect, it } from 'vitest'
import { buildHistoryOption } from '@/charts/history-option'
import { completeBuckets, historyQueryOf, historyWindow, rankingsUrl, seriesUrl, summarize } from './history'

const NOW = Date.parse('2026-12-05T14:06:59+08:00')

describe('history page queries', () => {
  it('reads the query from the address, unknown or missing choices replaced by defaults', () => {
    expect(historyQueryOf({}, 'city')).toEqual({ region: 'city', metric: 'traffic.flow', range: '24h', compare: 'prev' })
    expect(historyQueryOf({ region: 'jiangbin', metric: 'env.pm25', range: '30d', compare: 'year' }, 'city'))
      .toEqual({ region: 'jiangbin', metric: 'env.pm25', range: '30d', compare: 'year' })
    // Open work orders are a current state: no history to ask for.
    expect(historyQueryOf({ metric: 'cases.open', range: '2h', compare: 'x' }, 'city')).toMatchObject({ metric: 'traffic.flow', range: '24h', compare: 'prev' })
  })

  it('ends the range at the end of the current step and asks for the step that suits it', () => {
    const day = historyWindow('24h', NOW)
    expect(new Date(day.toMs).toISOString()).toBe('2026-12-05T06:15:00.000Z')
    expect(day.toMs - day.fromMs).toBe(86_400_000)
    expect(day.step).toBe('15m')
    expect(historyWindow('7d', NOW).step).toBe('1h')
    expect(historyWindow('365d', NOW).step).toBe('1w')
    const url = new URL(seriesUrl({ region: 'r', metric: 'traffic.flow', range: '24h', compare: 'none' }, NOW, true), 'http://x')
    expect(Object.fromEntries(url.searchParams)).toEqual({ metric: 'traffic.flow', region: 'r', from: '2026-12-04T06:15:00.000Z', to: '2026-12-05T06:15:00.000Z', step: '15m', format: 'csv' })
    expect(rankingsUrl({ region: 'r', metric: 'traffic.flow', range: '24h', compare: 'week' }, NOW)).toContain('parent=r')
  })

  it('leaves out the bucket still being filled', () => {
    const points = [{ t: '2026-12-05T05:45:00.000Z', value: 5 }, { t: '2026-12-05T06:00:00.000Z', value: 1 }]
    expect(completeBuckets(points, '15m', NOW)).toEqual([points[0]])
  })

  it('summarizes the buckets that have values: extremes with their time, means and the change', () => {
    const s = summarize([
      { t: 'a', value: 4, compare: 2 },
      { t: 'b', value: null, compare: 4 },
      { t: 'c', value: 8, compare: null },
    ])
    expect(s).toEqual({ max: { t: 'c', value: 8 }, min: { t: 'a', value: 4 }, mean: 6, compareMean: 3, change: 1 })
    expect(summarize([{ t: 'a', value: 1, compare: 0 }]).change).toBeNull()
    expect(summarize([]).mean).toBeNull()
  })

  it('draws the compared period as a second, dashed line only when there is one', () => {
    const input = { points: [{ t: '2026-12-05T05:45:00.000Z', value: 0.5, compare: 0.25 }], step: '15m' as const, name: '本期', unit: '%', decimals: 1, factor: 100, scale: 1, fromZero: true }
    const withCompare = buildHistoryOption({ ...input, compareName: '环比上期' })
    const series = withCompare.series as { name: string, data: (number | null)[], lineStyle: { type: string } }[]
    expect(series.map((s) => [s.name, s.data, s.lineStyle.type])).toEqual([['本期', [50], 'solid'], ['环比上期', [25], 'dashed']])
    expect((buildHistoryOption({ ...input, compareName: null }).series as unknown[]).length).toBe(1)
    expect(withCompare.yAxis).toMatchObject({ min: 0, scale: false })
  })

  it('keeps a nearly flat line flat instead of stretching its noise over the whole axis', () => {
    const points = [1.262, 1.268, 1.259].map((value, i) => ({ t: `2026-12-05T0${i}:00:00.000Z`, value }))
    const { min, max } = buildHistoryOption({ points, step: '1h', name: '本期', compareName: null, unit: '', decimals: 2, factor: 1, scale: 1, fromZero: false }).yAxis as { min: number, max: number }
    expect(max - min).toBeGreaterThanOrEqual(0.4)
    expect(min).toBeLessThan(1.259)
    expect(max).toBeGreaterThan(1.268)
  })
})
