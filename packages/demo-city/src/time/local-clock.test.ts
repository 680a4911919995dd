import { describe, expect, it } from 'vitest'
import { createLocalClock } from './local-clock.js'

describe('createLocalClock', () => {
  const shanghai = createLocalClock('Asia/Shanghai')
  const monday = Date.parse('2026-11-23T06:05:00Z')

  it('formats RFC 3339 with the zone offset', () => {
    expect(shanghai.format(monday)).toBe('2026-11-23T14:05:00.000+08:00')
    expect(Date.parse(shanghai.format(monday))).toBe(monday)
  })

  it('reads local hour, weekday and date', () => {
    expect(shanghai.at(monday)).toEqual({ hour: 14 + 5 / 60, weekday: 1, isWeekend: false, date: '20261123', minuteOfDay: 845 })
    expect(shanghai.at(Date.parse('2026-11-28T16:30:00Z'))).toMatchObject({ weekday: 0, isWeekend: true, date: '20261129' })
  })

  it.each([
    ['2026-07-01T12:00:00Z', '2026-07-01T14:00:00.000+02:00'],
    ['2026-12-01T12:00:00Z', '2026-12-01T13:00:00.000+01:00'],
  ])('follows daylight saving time in other zones (%s)', (utc, local) => {
    expect(createLocalClock('Europe/Berlin').format(Date.parse(utc))).toBe(local)
  })

  it('writes negative offsets', () => {
    expect(createLocalClock('America/New_York').format(Date.parse('2026-12-01T12:00:00Z'))).toBe('2026-12-01T07:00:00.000-05:00')
  })
})
