import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { aqiOf, iaqi, POLLUTANTS, type Pollutant } from './aqi.js'

describe('iaqi', () => {
  // HJ 633-2012 table 1: PM2.5 and PM10 by 24-hour breakpoints, SO₂, NO₂, O₃ and CO by 1-hour ones.
  it.each<[Pollutant, number, number]>([
    ['pm25', 0, 0],
    ['pm25', 35, 50],
    ['pm25', 75, 100],
    ['pm25', 115, 150],
    ['pm25', 150, 200],
    ['pm25', 250, 300],
    ['pm25', 350, 400],
    ['pm25', 500, 500],
    ['pm25', 501, 500],
    ['pm25', 900, 500],
    ['pm10', 50, 50],
    ['pm10', 150, 100],
    ['pm10', 250, 150],
    ['pm10', 350, 200],
    ['pm10', 420, 300],
    ['pm10', 600, 500],
    ['so2', 150, 50],
    ['so2', 500, 100],
    ['so2', 650, 150],
    ['so2', 800, 200],
    ['no2', 100, 50],
    ['no2', 200, 100],
    ['no2', 700, 150],
    ['no2', 1200, 200],
    ['no2', 3840, 500],
    ['o3', 160, 50],
    ['o3', 200, 100],
    ['o3', 300, 150],
    ['o3', 400, 200],
    ['o3', 800, 300],
    ['o3', 1200, 500],
    ['co', 5, 50],
    ['co', 10, 100],
    ['co', 35, 150],
    ['co', 60, 200],
    ['co', 150, 500],
    ['co', 151, 500],
  ])('gives %s at the breakpoint %d the index %d', (pollutant, concentration, expected) => {
    expect(iaqi(pollutant, concentration)).toBe(expected)
  })

  // IAQI = ceil((IAQI_hi − IAQI_lo) / (BP_hi − BP_lo) · (C − BP_lo) + IAQI_lo), worked by hand.
  it.each<[Pollutant, number, number, string]>([
    ['pm25', 10, 15, '50/35·10 = 14.29'],
    ['pm25', 50, 69, '50 + 50/40·15 = 68.75'],
    ['pm25', 200, 250, '200 + 100/100·50 = 250'],
    ['pm10', 100, 75, '50 + 50/100·50 = 75'],
    ['pm10', 200, 125, '100 + 50/100·50 = 125'],
    ['so2', 300, 72, '50 + 50/350·150 = 71.43'],
    ['no2', 150, 75, '50 + 50/100·50 = 75'],
    ['no2', 1000, 180, '150 + 50/500·300 = 180'],
    ['o3', 180, 75, '50 + 50/40·20 = 75'],
    ['o3', 250, 125, '100 + 50/100·50 = 125'],
    ['co', 2, 20, 'CO in mg/m³: 50/5·2 = 20'],
    ['co', 7, 70, 'CO in mg/m³: 50 + 50/5·2 = 70'],
    ['co', 20, 120, 'CO in mg/m³: 100 + 50/25·10 = 120'],
  ])('gives %s at %d the index %d (%s)', (pollutant, concentration, expected) => {
    expect(iaqi(pollutant, concentration)).toBe(expected)
  })

  // Decimal concentrations whose exact index is a whole number must not be rounded up by float noise.
  it.each<[Pollutant, number, number, string]>([
    ['pm25', 4.9, 7, '50/35·4.9 = 7'],
    ['pm25', 9.8, 14, '50/35·9.8 = 14'],
    ['pm10', 352.1, 203, '200 + 100/70·2.1 = 203'],
    ['o3', 160.8, 51, '50 + 50/40·0.8 = 51'],
    ['co', 65.4, 218, '200 + 100/30·5.4 = 218'],
  ])('gives %s at %d exactly the index %d (%s)', (pollutant, concentration, expected) => {
    expect(iaqi(pollutant, concentration)).toBe(expected)
  })

  it.each<[number, number, string]>([
    [900, 213, '200 + 100/800·100 = 212.5 by the 24-hour table'],
    [1600, 300, '24-hour breakpoint'],
    [2100, 400, '24-hour breakpoint'],
    [2620, 500, '24-hour top'],
    [3000, 500, 'above the 24-hour top'],
  ])('reports SO₂ above 800 µg/m³ (%d) by the 24-hour table as %d (%s)', (concentration, expected) => {
    expect(iaqi('so2', concentration)).toBe(expected)
  })

  it.each(POLLUTANTS)('gives %s at or below 0 the index 0', (pollutant) => {
    expect(iaqi(pollutant, 0)).toBe(0)
    expect(iaqi(pollutant, -5)).toBe(0)
  })

  it('never falls as a concentration rises, and stays within 0..500', () => {
    const concentration = fc.double({ min: 0, max: 5000, noNaN: true })
    fc.assert(fc.property(fc.constantFrom(...POLLUTANTS), concentration, concentration, (pollutant, a, b) => {
      const [lo, hi] = a <= b ? [a, b] : [b, a]
      expect(iaqi(pollutant, lo)).toBeLessThanOrEqual(iaqi(pollutant, hi))
      expect(iaqi(pollutant, hi)).toBeGreaterThanOrEqual(0)
      expect(iaqi(pollutant, hi)).toBeLessThanOrEqual(500)
      expect(Number.isInteger(iaqi(pollutant, hi))).toBe(true)
    }))
  })
})

describe('aqiOf', () => {
  it.each<[string, Partial<Record<Pollutant, number | null>>, number, Pollutant[]]>([
    ['names no primary pollutant at 50 or below', { pm25: 20, pm10: 10 }, 29, []],
    ['names no primary pollutant at exactly 50', { pm25: 35, pm10: 50, o3: 160 }, 50, []],
    ['takes the largest individual index and names its pollutant', { pm25: 50, no2: 150, co: 1 }, 75, ['no2']],
    ['names every pollutant that ties for the largest index', { pm25: 75, pm10: 150, o3: 100 }, 100, ['pm25', 'pm10']],
    ['ignores pollutants without data', { pm25: null, so2: 900 }, 213, ['so2']],
    ['is 0 in clean air', { pm25: 0, co: 0 }, 0, []],
  ])('%s', (_, means, aqi, primary) => {
    expect(aqiOf(means)).toEqual({ aqi, primary })
  })

  it.each<[string, Partial<Record<Pollutant, number | null>>]>([
    ['no pollutant', {}],
    ['only pollutants without data', { pm25: null, o3: null }],
  ])('is null with %s', (_, means) => {
    expect(aqiOf(means)).toBeNull()
  })

  it('equals the largest individual index of random means', () => {
    const mean = fc.option(fc.double({ min: 0, max: 1000, noNaN: true }), { nil: null })
    fc.assert(fc.property(fc.tuple(mean, mean, mean, mean, mean, mean), (values) => {
      const means = Object.fromEntries(POLLUTANTS.map((p, i) => [p, values[i]!]))
      const indexes = POLLUTANTS.flatMap((p, i) => (values[i] === null ? [] : [iaqi(p, values[i]!)]))
      const result = aqiOf(means)
      if (indexes.length === 0) {
        expect(result).toBeNull()
        return
      }
      expect(result!.aqi).toBe(Math.max(...indexes))
      expect(result!.primary.length > 0).toBe(result!.aqi > 50)
      for (const p of result!.primary) {
        expect(iaqi(p, means[p]!)).toBe(result!.aqi)
      }
    }))
  })
})
