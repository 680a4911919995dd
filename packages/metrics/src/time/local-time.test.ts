import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { DAY_MS, HOUR_MS, hourStart, localDayStart, MINUTE_MS, minuteStart, zoneOffsetMs } from './local-time.js'

const at = (iso: string) => Date.parse(iso)

const dateFormats = new Map<string, Intl.DateTimeFormat>()

/** The calendar date of an instant in a zone, by the platform's own time-zone data. */
function localDate(tsMs: number, timeZone: string): string {
  let format = dateFormats.get(timeZone)
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })
    dateFormats.set(timeZone, format)
  }
  return format.format(tsMs)
}

describe('minuteStart and hourStart', () => {
  it.each<[number, number]>([
    [0, 0],
    [1, 0],
    [59_999, 0],
    [60_000, 60_000],
    [at('2026-03-01T10:17:42.123Z'), at('2026-03-01T10:17:00Z')],
    [-1, -60_000],
    [-60_000, -60_000],
    [-60_001, -120_000],
    [at('1969-12-31T23:58:30.500Z'), at('1969-12-31T23:58:00Z')],
  ])('puts %d in the minute starting at %d', (tsMs, start) => {
    expect(minuteStart(tsMs)).toBe(start)
  })

  it.each<[number, number]>([
    [0, 0],
    [HOUR_MS - 1, 0],
    [at('2026-03-01T10:17:42Z'), at('2026-03-01T10:00:00Z')],
    [-1, -HOUR_MS],
    [-HOUR_MS, -HOUR_MS],
    [at('1969-12-31T22:30:00Z'), at('1969-12-31T22:00:00Z')],
  ])('puts %d in the hour starting at %d', (tsMs, start) => {
    expect(hourStart(tsMs)).toBe(start)
  })

  it('gives the start of the unit that holds the instant, before and after 1970, over ±10^15 ms', () => {
    // Whole units and the millisecond before them, where a rounded quotient would land in the next unit.
    const edges = fc.tuple(fc.integer({ min: -Math.floor(1e15 / HOUR_MS), max: Math.floor(1e15 / HOUR_MS) }), fc.constantFrom(-1, 0, 1), fc.constantFrom(MINUTE_MS, HOUR_MS))
      .map(([k, off, unit]) => k * unit + off)
    fc.assert(fc.property(fc.oneof(fc.integer({ min: -1e15, max: 1e15 }), edges), (tsMs) => {
      for (const [start, unit] of [[minuteStart(tsMs), MINUTE_MS], [hourStart(tsMs), HOUR_MS]] as const) {
        expect(start).toBeLessThanOrEqual(tsMs)
        expect(tsMs - start).toBeLessThan(unit)
        expect(Math.abs(start % unit)).toBe(0)
      }
    }))
  })
})

describe('zoneOffsetMs', () => {
  it.each<[string, string, number]>([
    ['Asia/Shanghai', '2026-01-15T12:00:00Z', 8 * HOUR_MS],
    ['Asia/Shanghai', '2026-07-15T12:00:00Z', 8 * HOUR_MS],
    ['Europe/Berlin', '2026-01-15T12:00:00Z', 1 * HOUR_MS],
    ['Europe/Berlin', '2026-07-15T12:00:00Z', 2 * HOUR_MS],
    ['America/New_York', '2026-01-15T12:00:00Z', -5 * HOUR_MS],
    ['Asia/Kolkata', '2026-01-15T12:00:00Z', 5.5 * HOUR_MS],
    ['UTC', '2026-01-15T12:00:00Z', 0],
    ['Asia/Shanghai', '1969-12-31T23:59:59.500Z', 8 * HOUR_MS],
  ])('is the offset of %s at %s', (zone, iso, offset) => {
    expect(zoneOffsetMs(at(iso), zone)).toBe(offset)
  })
})

describe('localDayStart', () => {
  it.each<[string, string]>([
    ['2026-03-01T15:59:59.999Z', '2026-02-28T16:00:00Z'],
    ['2026-03-01T16:00:00.000Z', '2026-03-01T16:00:00Z'],
    ['2026-03-01T23:30:00Z', '2026-03-01T16:00:00Z'],
    ['2026-03-02T00:30:00Z', '2026-03-01T16:00:00Z'],
    ['2026-03-02T15:59:59Z', '2026-03-01T16:00:00Z'],
    ['1970-01-01T00:00:00Z', '1969-12-31T16:00:00Z'],
    ['1969-12-31T15:00:00Z', '1969-12-30T16:00:00Z'],
  ])('starts the Asia/Shanghai day holding %s at local midnight, %s', (iso, start) => {
    expect(localDayStart(at(iso), 'Asia/Shanghai')).toBe(at(start))
  })

  // 2026-03-29: clocks go from 02:00 CET to 03:00 CEST (01:00Z), a 23-hour day.
  // 2026-10-25: clocks go from 03:00 CEST back to 02:00 CET (01:00Z), a 25-hour day.
  it.each<[string, string]>([
    ['2026-03-28T23:00:00Z', '2026-03-28T23:00:00Z'],
    ['2026-03-29T00:59:59Z', '2026-03-28T23:00:00Z'],
    ['2026-03-29T01:00:00Z', '2026-03-28T23:00:00Z'],
    ['2026-03-29T12:00:00Z', '2026-03-28T23:00:00Z'],
    ['2026-03-29T21:59:59Z', '2026-03-28T23:00:00Z'],
    ['2026-03-29T22:00:00Z', '2026-03-29T22:00:00Z'],
    ['2026-10-24T22:00:00Z', '2026-10-24T22:00:00Z'],
    ['2026-10-25T00:30:00Z', '2026-10-24T22:00:00Z'],
    ['2026-10-25T01:30:00Z', '2026-10-24T22:00:00Z'],
    ['2026-10-25T12:00:00Z', '2026-10-24T22:00:00Z'],
    ['2026-10-25T22:59:59Z', '2026-10-24T22:00:00Z'],
    ['2026-10-25T23:00:00Z', '2026-10-25T23:00:00Z'],
  ])('starts the Europe/Berlin day holding %s on a DST transition day at %s', (iso, start) => {
    expect(localDayStart(at(iso), 'Europe/Berlin')).toBe(at(start))
  })

  it('gives Europe/Berlin a 23-hour and a 25-hour day on its transition days', () => {
    const day = (iso: string) => localDayStart(at(iso) + DAY_MS + 2 * HOUR_MS, 'Europe/Berlin') - localDayStart(at(iso), 'Europe/Berlin')
    expect(day('2026-03-29T12:00:00Z')).toBe(23 * HOUR_MS)
    expect(day('2026-10-25T12:00:00Z')).toBe(25 * HOUR_MS)
  })

  it('starts a day whose midnight is skipped at the first local instant (São Paulo, 2018-11-04 00:00 → 01:00)', () => {
    expect(localDayStart(at('2018-11-04T14:00:00Z'), 'America/Sao_Paulo')).toBe(at('2018-11-04T03:00:00Z'))
  })

  // Clocks fall back over midnight, so 00:00 comes twice; the day starts at the first one.
  it.each<[string, string, string, string]>([
    ['Atlantic/Azores', '2026-10-25T01:30:00Z', '2026-10-25T00:00:00Z', '01:00 → 00:00, +00:00 → -01:00, in the second 00:xx'],
    ['Atlantic/Azores', '2026-10-25T12:00:00Z', '2026-10-25T00:00:00Z', 'later that day'],
    ['America/Havana', '2026-11-01T17:00:00Z', '2026-11-01T04:00:00Z', '01:00 → 00:00, -04:00 → -05:00'],
    ['Asia/Chita', '2014-10-26T03:00:00Z', '2014-10-25T14:00:00Z', '02:00 → 00:00, +10:00 → +08:00'],
  ])('starts the %s day holding %s at the first midnight, %s (%s)', (zone, iso, start) => {
    expect(localDayStart(at(iso), zone)).toBe(at(start))
  })

  it.each(['Asia/Shanghai', 'Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'Atlantic/Azores', 'America/Havana', 'America/Santiago', 'UTC'])('gives the first instant of the local date in %s', (zone) => {
    fc.assert(fc.property(fc.integer({ min: at('1990-01-01T00:00:00Z'), max: at('2060-01-01T00:00:00Z') }), (tsMs) => {
      const start = localDayStart(tsMs, zone)
      expect(start).toBeLessThanOrEqual(tsMs)
      expect(localDate(start, zone)).toBe(localDate(tsMs, zone))
      expect(localDate(start - 1, zone)).not.toBe(localDate(tsMs, zone))
    }))
  })
})
