export const MINUTE_MS = 60_000
export const HOUR_MS = 3_600_000
export const DAY_MS = 86_400_000

/** Start of the UTC minute containing tsMs. */
export function minuteStart(tsMs: number): number {
  return startOf(tsMs, MINUTE_MS)
}

export function hourStart(tsMs: number): number {
  return startOf(tsMs, HOUR_MS)
}

/**
 * tsMs rounded down to a multiple of unit: a division and a floor, where a remainder of a time (beyond
 * 2^31 ms) is a call into C; this runs per message. Exact for whole milliseconds within ±10^15 ms
 * (±31,000 years): the quotient's rounding error stays far below the 1/unit a whole ms moves it by.
 */
function startOf(tsMs: number, unit: number): number {
  return Math.floor(tsMs / unit) * unit + 0
}

const offsetFormatters = new Map<string, Intl.DateTimeFormat>()

/** The zone's UTC offset in ms at an instant (e.g. +8 h for Asia/Shanghai). */
export function zoneOffsetMs(tsMs: number, timeZone: string): number {
  let f = offsetFormatters.get(timeZone)
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' })
    offsetFormatters.set(timeZone, f)
  }
  const parts = Object.fromEntries(f.formatToParts(new Date(tsMs)).map((p) => [p.type, p.value]))
  const asUtc = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second))
  return asUtc - (tsMs - mod(tsMs, 1000))
}

/** The instant of local midnight starting the day that contains tsMs in the zone. */
export function localDayStart(tsMs: number, timeZone: string): number {
  const offset = zoneOffsetMs(tsMs, timeZone)
  const local = tsMs + offset
  const midnightLocal = local - mod(local, DAY_MS)
  // The offset at midnight may differ from the one now (DST); correct once with the midnight offset.
  const start = midnightLocal - zoneOffsetMs(midnightLocal - offset, timeZone)
  // Where clocks fall back over midnight (01:00 → 00:00 on the Azores, in Havana) it comes twice: take the first.
  const earlierOffset = zoneOffsetMs(start - 6 * HOUR_MS, timeZone)
  const earlier = midnightLocal - earlierOffset
  return earlier < start && zoneOffsetMs(earlier, timeZone) === earlierOffset ? earlier : start
}

/** a mod b, in [0, b). One remainder (a call into C for times beyond 2^31 ms) for the usual a ≥ 0; + 0 turns -0 into 0. */
function mod(a: number, b: number): number {
  const r = a % b
  return r >= 0 ? r + 0 : (r + b) % b
}
