import { describe, expect, it } from 'vitest'
import type { LocalTime } from '../time/local-clock.js'
import { caseRate, lotUseOf, parkingShare, trafficDemand } from './patterns.js'

const at = (hour: number, isWeekend = false): LocalTime => ({ hour, isWeekend, weekday: isWeekend ? 6 : 2, date: '20261124', minuteOfDay: hour * 60 })

describe('trafficDemand', () => {
  it('peaks in the weekday rush hours and is quiet at night', () => {
    expect(trafficDemand(at(8))).toBeGreaterThan(0.9)
    expect(trafficDemand(at(18))).toBeGreaterThan(0.9)
    expect(trafficDemand(at(12))).toBeLessThan(0.7)
    expect(trafficDemand(at(3))).toBeLessThan(0.1)
  })

  it('is flatter at weekends', () => {
    const weekend = [10, 12, 15, 18].map((h) => trafficDemand(at(h, true)))
    expect(Math.max(...weekend) / Math.min(...weekend)).toBeLessThan(1.3)
    expect(trafficDemand(at(8, true))).toBeLessThan(trafficDemand(at(8)))
  })
})

describe('parkingShare', () => {
  it('fills commercial lots by day and residential lots by night', () => {
    expect(parkingShare('commercial', at(14))).toBeGreaterThan(0.8)
    expect(parkingShare('commercial', at(3))).toBeLessThan(0.2)
    expect(parkingShare('residential', at(3))).toBeGreaterThan(0.85)
    expect(parkingShare('residential', at(14))).toBeLessThan(0.5)
  })

  it.each([
    ['江汀购物中心停车场', 'commercial'],
    ['桂园小区停车场', 'residential'],
    ['翠湖公园停车场', 'mixed'],
  ])('tells %s is %s from its name', (name, use) => {
    expect(lotUseOf(name)).toBe(use)
  })
})

describe('caseRate', () => {
  it('averages 1 over the day, higher by day than at night', () => {
    const day = Array.from({ length: 2400 }, (_, i) => caseRate(i / 100))
    expect(day.reduce((a, b) => a + b) / day.length).toBeCloseTo(1, 2)
    expect(caseRate(10)).toBeGreaterThan(3 * caseRate(3))
  })
})
