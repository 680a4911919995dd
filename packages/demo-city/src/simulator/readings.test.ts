import { describe, expect, it } from 'vitest'
import { createLocalClock } from '../time/local-clock.js'
import { airValues } from './air.js'
import { createFleet } from './fleet.js'
import { type Decoded, demo, generate, goodOnes, HOUR, MINUTE, MONDAY, tree } from './__fixtures__/demo.js'

const SATURDAY = MONDAY + 5 * 24 * HOUR

function readingsAt(startMs: number, kind: string): Decoded[] {
  return goodOnes(generate(startMs, startMs + 10 * MINUTE)).filter((m) => m.kind === kind)
}

const sum = (items: number[]) => items.reduce((a, b) => a + b, 0)
const mean = (items: number[]) => sum(items) / items.length

describe('simulated traffic', () => {
  const rush = readingsAt(MONDAY + 8 * HOUR, 'segment')
  const night = readingsAt(MONDAY + 3 * HOUR, 'segment')

  it('carries far more vehicles in the morning rush than at night', () => {
    expect(sum(rush.map((r) => r.values.flow))).toBeGreaterThan(5 * sum(night.map((r) => r.values.flow)))
  })

  it('slows down as flow rises', () => {
    const tti = (rs: Decoded[]) => mean(rs.map((r) => r.values.free_flow_kmh / r.values.speed_kmh))
    expect(tti(night)).toBeLessThan(1.1)
    expect(tti(rush)).toBeGreaterThan(1.3)
  })

  it('has a flatter Saturday', () => {
    const flow = (start: number) => sum(readingsAt(start, 'segment').map((r) => r.values.flow))
    expect(flow(SATURDAY + 8 * HOUR)).toBeLessThan(0.7 * flow(MONDAY + 8 * HOUR))
  })
})

describe('simulated parking', () => {
  const share = (start: number, pattern: RegExp) => {
    const lots = readingsAt(start, 'parking').filter((r) => pattern.test(demo.devices.find((d) => d.id === r.device.replace(/^ext-/, ''))!.name))
    return sum(lots.map((r) => r.values.occupied)) / sum(lots.map((r) => r.values.capacity))
  }

  it('fills commercial lots by day and residential lots at night', () => {
    expect(share(MONDAY + 14 * HOUR, /商业|购物|大厦|医院/)).toBeGreaterThan(share(MONDAY + 2 * HOUR, /商业|购物|大厦|医院/) + 0.4)
    expect(share(MONDAY + 2 * HOUR, /小区|花园|家园/)).toBeGreaterThan(share(MONDAY + 14 * HOUR, /小区|花园|家园/) + 0.3)
  })
})

describe('simulated environment', () => {
  it('peaks ozone in the afternoon', () => {
    const o3 = (start: number) => mean(readingsAt(start, 'air').filter((r) => r.values.o3 !== undefined).map((r) => r.values.o3))
    expect(o3(MONDAY + 15 * HOUR)).toBeGreaterThan(2 * o3(MONDAY + 4 * HOUR))
  })

  it('has pollution episodes that push PM2.5 past 150 for hours, now and then', () => {
    const clock = createLocalClock('Asia/Shanghai')
    const [station] = createFleet(demo.devices.filter((d) => d.id === 'air-01'), tree, 1, 30_000)
    const hourly = Array.from({ length: 90 * 24 }, (_, h) => MONDAY + h * HOUR).map((t) => airValues(station!, t, clock.at(t), 1).pm25!)
    const episodeHours = hourly.filter((pm25) => pm25 > 150).length
    expect(episodeHours).toBeGreaterThan(5)
    expect(episodeHours).toBeLessThan(hourly.length * 0.1)
    expect(Math.min(...hourly)).toBeGreaterThan(0)
  })

  it('is louder by day and never outside 45–75 dB(A)', () => {
    const noise = (start: number) => readingsAt(start, 'noise').map((r) => r.values.laeq_db)
    const [day, night] = [noise(MONDAY + 11 * HOUR), noise(MONDAY + 3 * HOUR)]
    expect(mean(day)).toBeGreaterThan(mean(night) + 6)
    expect(Math.min(...day, ...night)).toBeGreaterThanOrEqual(45)
    expect(Math.max(...day, ...night)).toBeLessThanOrEqual(75)
  })
})
