import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseTime, parseTimeStrictly } from './parse-time.js'

const pad = (n: number, width: number) => String(n).padStart(width, '0')
/** RFC 3339-shaped text with every field drawn past its range now and then. */
const timeText = fc.record({
  year: fc.oneof(fc.integer({ min: 0, max: 9999 }), fc.constantFrom(0, 1900, 2000, 2024, 2026, 2100)),
  month: fc.integer({ min: 0, max: 14 }),
  day: fc.integer({ min: 0, max: 33 }),
  hour: fc.integer({ min: 0, max: 25 }),
  minute: fc.integer({ min: 0, max: 61 }),
  second: fc.integer({ min: 0, max: 61 }),
  fraction: fc.oneof(fc.constant(''), fc.stringMatching(/^\.\d{0,10}$/)),
  zone: fc.oneof(
    fc.constantFrom('Z', 'z', '', '+00:00', '-00:00', '+08:00', '+24:00', '+05:30', '-12:60'),
    fc.tuple(fc.constantFrom('+', '-'), fc.integer({ min: 0, max: 25 }), fc.integer({ min: 0, max: 61 })).map(([s, h, m]) => `${s}${pad(h, 2)}:${pad(m, 2)}`),
  ),
}).map((t) => `${pad(t.year, 4)}-${pad(t.month, 2)}-${pad(t.day, 2)}T${pad(t.hour, 2)}:${pad(t.minute, 2)}:${pad(t.second, 2)}${t.fraction}${t.zone}`)

describe('parseTime', () => {
  it('reads every RFC 3339-shaped text as Date.parse with the calendar check does', () => {
    fc.assert(fc.property(timeText, (text) => {
      expect(parseTime(text)).toBe(parseTimeStrictly(text))
    }), { numRuns: 20_000 })
  })

  it('rejects what the reference rejects among arbitrary text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 40 }), (text) => {
      expect(parseTime(text)).toBe(parseTimeStrictly(text))
    }), { numRuns: 2000 })
  })

  it.each([
    '2026-03-01T24:00:00Z', '2026-03-01T23:59:60Z', '2026-03-01T11:59:00+24:00', '2026-03-01T11:59:00.1239Z', '0000-02-29T00:00:00Z',
    '1900-02-29T00:00:00Z', '2000-02-29T00:00:00+23:59', '9999-12-31T23:59:59.999-23:59', '2026-03-01T11:59:00.Z', '２０２６-03-01T11:59:00Z',
  ])('agrees with the reference on %s', (text) => {
    expect(parseTime(text)).toBe(parseTimeStrictly(text))
  })
})
