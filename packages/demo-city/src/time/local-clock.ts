/** Wall-clock fields of an instant in the city's time zone. */
export interface LocalTime {
  /** Fractional hour of the day, 0 ≤ hour < 24. */
  hour: number
  /** 0 = Sunday … 6 = Saturday. */
  weekday: number
  isWeekend: boolean
  /** Local calendar date as YYYYMMDD. */
  date: string
  minuteOfDay: number
}

export interface LocalClock {
  at(utcMs: number): LocalTime
  /** RFC 3339 with the zone's offset, e.g. 2026-11-23T14:05:00.000+08:00. */
  format(utcMs: number): string
  offsetMs(utcMs: number): number
}

// Zones change offset only on quarter-hour boundaries, so one lookup per quarter hour is exact.
const QUARTER_HOUR_MS = 15 * 60_000

export function createLocalClock(timeZone: string): LocalClock {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
  })
  const cache = new Map<number, number>()
  const offsetMs = (utcMs: number) => {
    const quarter = Math.floor(utcMs / QUARTER_HOUR_MS)
    let offset = cache.get(quarter)
    if (offset === undefined) {
      offset = offsetAt(parts, quarter * QUARTER_HOUR_MS)
      if (cache.size > 10_000) {
        cache.clear()
      }
      cache.set(quarter, offset)
    }
    return offset
  }
  const at = (utcMs: number): LocalTime => {
    const local = new Date(utcMs + offsetMs(utcMs))
    const weekday = local.getUTCDay()
    const hour = local.getUTCHours() + local.getUTCMinutes() / 60 + local.getUTCSeconds() / 3600
    const date = local.toISOString().slice(0, 10).replaceAll('-', '')
    const minuteOfDay = local.getUTCHours() * 60 + local.getUTCMinutes()
    return { hour, weekday, isWeekend: weekday === 0 || weekday === 6, date, minuteOfDay }
  }
  const format = (utcMs: number) => {
    const offset = offsetMs(utcMs)
    const sign = offset < 0 ? '-' : '+'
    const minutes = Math.abs(offset) / 60_000
    const zone = `${sign}${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`
    return new Date(utcMs + offset).toISOString().slice(0, 23) + zone
  }
  return { at, format, offsetMs }
}

function offsetAt(format: Intl.DateTimeFormat, utcMs: number): number {
  const parts = format.formatToParts(utcMs)
  const field = (type: string) => Number(parts.find((p) => p.type === type)?.value)
  const wall = Date.UTC(field('year'), field('month') - 1, field('day'), field('hour'), field('minute'), field('second'))
  return wall - utcMs
}

function pad(n: number): string {
  return String(n).padStart(2, '0')
}
