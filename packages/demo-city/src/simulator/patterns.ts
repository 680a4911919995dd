import type { LocalTime } from '../time/local-clock.js'

/** Daily shapes in local time. Pure functions: values in, values out. */

function bell(hour: number, peak: number, width: number): number {
  return Math.exp(-(((hour - peak) / width) ** 2) / 2)
}

/** 0 before `from`, 1 between `from` and `to`, with soft edges `edge` hours wide. */
function plateau(hour: number, from: number, to: number, edge: number): number {
  return 1 / (1 + Math.exp(-(hour - from) / edge)) / (1 + Math.exp(-(to - hour) / edge))
}

/** Traffic demand relative to a weekday peak (~1 at 8:00): rush hours on weekdays, flatter weekends. */
export function trafficDemand({ hour, isWeekend }: LocalTime): number {
  if (isWeekend) {
    return 0.07 + 0.55 * plateau(hour, 8.5, 21.5, 0.7) + 0.08 * bell(hour, 15, 2.5)
  }
  return 0.06 + 0.5 * plateau(hour, 6.3, 21.8, 0.5) + 0.48 * bell(hour, 8, 0.75) + 0.44 * bell(hour, 18, 0.85)
}

export type LotUse = 'commercial' | 'residential' | 'mixed'

/** A lot's use, told by its name: shops and offices fill by day, housing by night. */
export function lotUseOf(name: string): LotUse {
  if (/商业|购物|大厦|医院|写字楼/.test(name)) {
    return 'commercial'
  }
  if (/小区|花园|家园|公寓/.test(name)) {
    return 'residential'
  }
  return 'mixed'
}

/** Share of spaces taken, before per-lot variation. */
export function parkingShare(use: LotUse, time: LocalTime): number {
  const { hour, isWeekend } = time
  const commercial = isWeekend
    ? 0.08 + 0.84 * plateau(hour, 10, 21.3, 0.7)
    : 0.08 + 0.78 * plateau(hour, 8.6, 19.8, 0.6) + 0.06 * bell(hour, 19.5, 1.2)
  const residential = isWeekend
    ? 0.9 - 0.25 * plateau(hour, 9.5, 18.5, 1)
    : 0.92 - 0.5 * plateau(hour, 7.6, 17.8, 0.5)
  if (use === 'commercial') {
    return commercial
  }
  if (use === 'residential') {
    return residential
  }
  return (commercial + residential) / 2
}

/** How busy people are (0 at night, 1 by day), for noise and the case rate. */
export function activity({ hour, isWeekend }: LocalTime): number {
  return isWeekend ? plateau(hour, 7.5, 22.8, 0.6) : plateau(hour, 6.2, 22.5, 0.5)
}

function rawCaseRate(hour: number): number {
  return 0.22 + 1.35 * plateau(hour, 7.5, 20.5, 0.8) + 0.15 * bell(hour, 10, 1.5)
}

const CASE_RATE_MEAN = Array.from({ length: 480 }, (_, i) => rawCaseRate(i / 20)).reduce((a, b) => a + b) / 480

/** Relative case rate by hour; averages 1 over a day, so casesPerHour is a daily mean. */
export function caseRate(hour: number): number {
  return rawCaseRate(hour) / CASE_RATE_MEAN
}

/** Ozone follows the sun: low at night, peaking mid-afternoon. */
export function ozoneShape(hour: number): number {
  return bell(hour, 15, 2.6)
}

/** Fine particles build up overnight under the inversion layer and thin out in the afternoon. */
export function particleShape(hour: number): number {
  return 0.5 + 0.5 * Math.cos((2 * Math.PI * (hour - 7)) / 24)
}
