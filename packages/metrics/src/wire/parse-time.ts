const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/
const DAY_MS = 86_400_000

/** Epoch ms of an RFC 3339 time with an explicit offset, or null. */
export function parseTime(text: string): number | null {
  const ms = parseTimeWithin(text, 0, text.length)
  return ms === undefined ? parseTimeStrictly(text) : ms
}

/**
 * The reference reading: the RFC 3339 shape, then Date.parse. Date.parse rolls 2026-02-30 over into
 * March; a day its month does not have is not a time.
 */
export function parseTimeStrictly(text: string): number | null {
  const match = RFC3339.exec(text)
  if (!match) {
    return null
  }
  const ms = Date.parse(text)
  return Number.isNaN(ms) || !isCalendarDay(Number(match[1]), Number(match[2]), Number(match[3])) ? null : ms
}

function isCalendarDay(year: number, month: number, day: number): boolean {
  const date = new Date(0)
  date.setUTCFullYear(year, month - 1, day)
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day
}

/**
 * parseTime's answer for text[from, to) (a time inside a message's text, read where it is), without a
 * regex, Date.parse or a Date, for times whose every field is in its usual range (what every sane
 * producer sends); undefined for anything else, which takes the reference path.
 */
export function parseTimeWithin(text: string, from: number, to: number): number | null | undefined {
  const n = to - from
  if (n < 20 || text.charCodeAt(from + 4) !== 45 || text.charCodeAt(from + 7) !== 45 || text.charCodeAt(from + 10) !== 84 || text.charCodeAt(from + 13) !== 58 || text.charCodeAt(from + 16) !== 58) {
    return undefined
  }
  const century = twoDigits(text, from)
  const yearOfCentury = twoDigits(text, from + 2)
  const year = century * 100 + yearOfCentury
  const month = twoDigits(text, from + 5)
  const day = twoDigits(text, from + 8)
  const hour = twoDigits(text, from + 11)
  const minute = twoDigits(text, from + 14)
  const second = twoDigits(text, from + 17)
  if (century < 0 || yearOfCentury < 0 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
    return undefined
  }
  let i = from + 19
  let ms = 0
  if (text.charCodeAt(i) === 46) {
    // Date.parse keeps milliseconds and truncates finer digits.
    let digits = 0
    for (i++; i < to && isDigit(text.charCodeAt(i)); i++, digits++) {
      if (digits < 3) {
        ms = ms * 10 + text.charCodeAt(i) - 48
      }
    }
    if (digits === 0 || digits > 9) {
      return undefined
    }
    ms *= digits === 1 ? 100 : digits === 2 ? 10 : 1
  }
  const offsetMinutes = offsetAt(text, i, to)
  if (offsetMinutes === undefined) {
    return undefined
  }
  if (day > daysInMonth(year, month)) {
    return null
  }
  return daysFromCivil(year, month, day) * DAY_MS + ((hour * 60 + minute - offsetMinutes) * 60 + second) * 1000 + ms
}

/** Minutes east of UTC of a `Z` or `±hh:mm` that ends the text at i (the end being to); undefined otherwise. */
function offsetAt(text: string, i: number, to: number): number | undefined {
  const c = text.charCodeAt(i)
  if (c === 90 && i + 1 === to) {
    return 0
  }
  if ((c !== 43 && c !== 45) || i + 6 !== to || text.charCodeAt(i + 3) !== 58) {
    return undefined
  }
  const hours = twoDigits(text, i + 1)
  const minutes = twoDigits(text, i + 4)
  if (hours < 0 || hours > 23 || minutes < 0 || minutes > 59) {
    return undefined
  }
  return (c === 45 ? -1 : 1) * (hours * 60 + minutes)
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57
}

/** The two ASCII digits at i as a number, or -1. */
function twoDigits(text: string, i: number): number {
  const a = text.charCodeAt(i)
  const b = text.charCodeAt(i + 1)
  return isDigit(a) && isDigit(b) ? (a - 48) * 10 + b - 48 : -1
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) {
    return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28
  }
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31
}

/** Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year
  const era = Math.floor(y / 400)
  const yearOfEra = y - era * 400
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear
  return era * 146_097 + dayOfEra - 719_468
}
