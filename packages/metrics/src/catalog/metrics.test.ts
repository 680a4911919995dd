import { describe, expect, it } from 'vitest'
import { AQI_LEVELS, findMetric, isStoredKind, levelOf, METRICS, NOISE_LEVELS, OCCUPANCY_LEVELS, STORED_METRICS, TTI_LEVELS, type Level } from './metrics.js'

const ID_PREFIX = { traffic: 'traffic.', environment: 'env.', cases: 'cases.' } as const

describe('METRICS', () => {
  it('has unique ids', () => {
    const ids = METRICS.map((m) => m.id)
    expect(new Set(ids).size).toBe(ids.length)
  })

  it.each(METRICS.map((m) => [m.id, m] as const))('gives %s zh and en names, a unit (or empty string) and an id in its domain', (_, m) => {
    expect(m.name.trim()).not.toBe('')
    expect(m.nameEn.trim()).not.toBe('')
    expect(typeof m.unit).toBe('string')
    expect(m.id.startsWith(ID_PREFIX[m.domain])).toBe(true)
    expect(Number.isInteger(m.decimals) && m.decimals >= 0).toBe(true)
    expect(m.currentWindowMin).toBeGreaterThanOrEqual(0)
  })

  it('gives every histogram metric a quantile between 0 and 1, and no other metric one', () => {
    for (const m of METRICS) {
      if (m.kind === 'histogram') {
        expect(m.quantile).toBeGreaterThan(0)
        expect(m.quantile).toBeLessThan(1)
      } else {
        expect(m.quantile).toBeUndefined()
      }
    }
  })

  it.each<[string, readonly Level[]]>([
    ['TTI', TTI_LEVELS],
    ['AQI', AQI_LEVELS],
    ['noise', NOISE_LEVELS],
    ['occupancy', OCCUPANCY_LEVELS],
  ])('orders the %s levels by rising bounds and ends them at Infinity', (_, levels) => {
    const bounds = levels.map((l) => l.below)
    expect(bounds).toEqual([...bounds].sort((a, b) => a - b))
    expect(new Set(bounds).size).toBe(bounds.length)
    expect(bounds[bounds.length - 1]).toBe(Infinity)
    for (const l of levels) {
      expect(l.name).not.toBe('')
      expect(l.nameEn).not.toBe('')
      expect(l.color).toMatch(/^#[0-9a-f]{6}$/)
    }
  })
})

describe('STORED_METRICS', () => {
  it('holds exactly the metrics that are not derived', () => {
    expect(STORED_METRICS.map((m) => m.id)).toEqual(METRICS.filter((m) => isStoredKind(m.kind)).map((m) => m.id))
    expect(STORED_METRICS.map((m) => m.kind)).not.toContain('aqi')
    expect(STORED_METRICS.map((m) => m.id)).toEqual(expect.arrayContaining(['traffic.flow', 'env.pm25', 'cases.closed']))
  })

  it.each(['aqi', 'on_time_rate', 'open_cases', 'overdue_cases'] as const)('leaves out the derived kind %s', (kind) => {
    expect(isStoredKind(kind)).toBe(false)
  })
})

describe('findMetric', () => {
  it('finds a metric by id', () => {
    expect(findMetric('env.noise')?.kind).toBe('energy_mean')
  })

  it('is undefined for an unknown id', () => {
    expect(findMetric('env.pm1')).toBeUndefined()
  })
})

describe('levelOf', () => {
  const tti = findMetric('traffic.tti')!
  const aqi = findMetric('env.aqi')!

  it.each<[number, string]>([
    [1.0, '畅通'],
    [1.49, '畅通'],
    [1.5, '基本畅通'],
    [1.79, '基本畅通'],
    [1.8, '轻度拥堵'],
    [2.0, '中度拥堵'],
    [2.19, '中度拥堵'],
    [2.2, '严重拥堵'],
    [6, '严重拥堵'],
  ])('puts a travel-time index of %d in %s', (value, name) => {
    expect(levelOf(tti, value)?.name).toBe(name)
  })

  // HJ 633-2012: 0–50 优, 51–100 良, 101–150 轻度, 151–200 中度, 201–300 重度, > 300 严重污染.
  it.each<[number, string]>([
    [0, '优'],
    [50, '优'],
    [51, '良'],
    [100, '良'],
    [101, '轻度污染'],
    [150, '轻度污染'],
    [151, '中度污染'],
    [200, '中度污染'],
    [201, '重度污染'],
    [300, '重度污染'],
    [301, '严重污染'],
    [500, '严重污染'],
  ])('puts an AQI of %d in %s', (value, name) => {
    expect(levelOf(aqi, value)?.name).toBe(name)
  })

  it('gives no level for a null value', () => {
    expect(levelOf(aqi, null)).toBeUndefined()
  })

  it('gives no level for a metric without levels', () => {
    expect(levelOf(findMetric('traffic.flow')!, 100)).toBeUndefined()
  })
})
