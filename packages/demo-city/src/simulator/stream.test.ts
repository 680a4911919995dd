import { createPointLocator } from '@city/metrics'
import { REJECT_REASONS, TOPICS } from '@city/metrics/wire'
import { describe, expect, it } from 'vitest'
import { createStreamGenerator } from './stream.js'
import { type Decoded, demo, generate, goodOnes, HOUR, isCaseEvent, isReading, MINUTE, MONDAY, registered, tree } from './__fixtures__/demo.js'

const rush = generate(MONDAY + 7.5 * HOUR, MONDAY + 8.5 * HOUR, { badShare: 0.05 })

describe('createStreamGenerator', () => {
  it('emits only valid wire contract v1 messages on the right topics', () => {
    const invalid = rush.filter((m) => !m.bad).filter((m) => {
      const message = JSON.parse(m.value)
      const valid = isValidAndStorable(message)
      return !valid
        || m.topic !== TOPICS[message.source as 'traffic' | 'environment' | 'events']
        || m.key !== (message.kind === 'case' ? message.case : message.device)
        || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+08:00$/.test(message.ts)
    })
    expect(invalid).toEqual([])
  })

  it('never reuses a message id, not even for bad copies', () => {
    const ids = rush.map((m) => m.value.match(/"id":"([^"]+)"/)?.[1]).filter((id) => id !== undefined)
    expect(new Set(ids).size).toBe(ids.length)
  })

  it('marks every deliberately bad message with the reason the ingest must give', () => {
    const bad = rush.filter((m) => m.bad)
    expect(new Set(bad.map((m) => m.bad))).toEqual(new Set(REJECT_REASONS.filter((r) => r !== 'too_late' && r !== 'wrong_topic')))
    for (const m of bad) {
      if (m.bad === 'invalid_json') {
        expect(() => JSON.parse(m.value)).toThrow()
        continue
      }
      const message = JSON.parse(m.value)
      const valid = isValidAndStorable(message)
      expect(valid, m.value).toBe(m.bad !== 'schema')
      expect(breaksAsMarked(m.bad!, message, MONDAY + 8.5 * HOUR), m.value).toBe(true)
    }
  })

  it('keeps the bad share near badShare', () => {
    const messages = generate(MONDAY, MONDAY + 20 * MINUTE)
    const share = messages.filter((m) => m.bad).length / messages.length
    expect(share).toBeGreaterThan(0.003)
    expect(share).toBeLessThan(0.008)
  })

  it('is deterministic for a seed, however time is cut into windows', () => {
    const [from, to] = [MONDAY + 8 * HOUR, MONDAY + 8 * HOUR + 10 * MINUTE]
    const once = generate(from, to)
    expect(generate(from, to, {}, 250)).toEqual(once)
    expect(generate(from, to, {}, 97_000)).toEqual(once)
    expect(generate(from, to, { seed: 2 })).not.toEqual(once)
  })

  it('resumes a stream where it stopped, carrying on with the cases it had open', () => {
    const devices = demo.devices.filter((d) => d.kind === 'noise')
    const [start, restart, end] = [MONDAY + 6 * HOUR, MONDAY + 12 * HOUR, MONDAY + 16 * HOUR]
    const before = generate(start, restart, { devices })
    const after = generate(restart, end, { devices, casesSinceMs: start })
    expect([...before, ...after]).toEqual(generate(start, end, { devices }))
    expect(generate(restart, end, { devices }).length).toBeLessThan(after.length)
  })

  it('sends readings in event-time order within the window', () => {
    const times = goodOnes(rush).filter((m) => m.kind !== 'case').map((m) => Date.parse(m.ts))
    expect(times).toEqual([...times].sort((a, b) => a - b))
    expect(Math.min(...times)).toBeGreaterThanOrEqual(MONDAY + 7.5 * HOUR)
    expect(Math.max(...times)).toBeLessThan(MONDAY + 8.5 * HOUR)
  })

  it('reports every device once per interval, staggered over the interval', () => {
    const readings = goodOnes(generate(MONDAY, MONDAY + 30_000)).filter((m) => m.kind !== 'case')
    const perDevice = new Map<string, number>()
    readings.forEach((r) => perDevice.set(r.device, (perDevice.get(r.device) ?? 0) + 1))
    expect([...registered].every((id) => perDevice.get(id) === 1)).toBe(true)
    expect(new Set(readings.map((r) => r.ts)).size).toBeGreaterThanOrEqual(25)
  })

  it('adds the region to ~10% of readings and a position to unregistered devices', () => {
    const readings = goodOnes(rush).filter((m) => m.kind !== 'case')
    const withRegion = readings.filter((r) => r.region).length / readings.length
    expect(withRegion).toBeGreaterThan(0.07)
    expect(withRegion).toBeLessThan(0.13)
    const unregistered = readings.filter((r) => !registered.has(r.device))
    const locator = createPointLocator(tree)
    unregistered.forEach((r) => expect(locator.locate(r.loc![0], r.loc![1]), r.device).toBeDefined())
    unregistered.forEach((r) => expect(r.region).toBeUndefined())
    const share = new Set(unregistered.map((r) => r.device)).size / demo.devices.length
    expect(share).toBeGreaterThan(0.02)
    expect(share).toBeLessThan(0.09)
  })

  it('keeps values non-negative and plausible', () => {
    const implausible = goodOnes(rush).filter((m) => m.kind !== 'case').filter(({ kind, values }) => {
      const all = Object.values(values)
      return all.some((v) => v < 0)
        || (kind === 'parking' && values.occupied > values.capacity)
        || (kind === 'noise' && (values.laeq_db < 45 || values.laeq_db > 75))
        || (kind === 'air' && values.co !== undefined && (values.co < 0.3 || values.co > 2))
        || (kind === 'air' && values.pm25 > 400)
    })
    expect(implausible).toEqual([])
  })

  it('refuses windows that are not contiguous', () => {
    const generator = createStreamGenerator({ devices: demo.devices, regions: tree })
    generator.generate(MONDAY, MONDAY + 1000)
    expect(() => generator.generate(MONDAY + 2000, MONDAY + 3000)).toThrow(RangeError)
  })
})

function breaksAsMarked(reason: string, message: Decoded, windowEndMs: number): boolean {
  const values: number[] = Object.values(message.values ?? {})
  switch (reason) {
    case 'schema':
      return true
    case 'negative_value':
      return values.some((v) => v < 0)
    case 'absurd_value':
      return values.some((v) => v >= 300)
    case 'bad_timestamp':
      return Number.isNaN(Date.parse(message.ts))
    case 'clock_skew':
      return Date.parse(message.ts) - windowEndMs > 86_400_000
    case 'unknown_device':
      return !registered.has(message.device) && !message.region && !message.loc
    case 'unknown_region':
      return tree.get(message.region ?? '') === undefined && !message.loc && !registered.has(message.device ?? '')
    default:
      return false
  }
}

/** The contract's schema, and text PostgreSQL can store (no NUL, no unpaired surrogate: encodeURIComponent throws on those). */
function isValidAndStorable(message: Record<string, unknown>): boolean {
  const storable = Object.values(message).every((v) => typeof v !== 'string' || (!v.includes('\0') && canEncode(v)))
  return (message.kind === 'case' ? isCaseEvent.Check(message) : isReading.Check(message)) && storable
}

function canEncode(text: string): boolean {
  try {
    encodeURIComponent(text)
    return true
  } catch {
    return false
  }
}
