import { DAY_MS, HOUR_MS, localDayStart, MINUTE_MS, zoneOffsetMs } from '@city/metrics'
import type { SeriesStep } from '@city/metrics/wire'
import type { DbEngine, Queryable } from '@city/platform'
import { toPartialRow, type PartialRow, type StoredPartialRow, type Table } from './partials.js'

/** Every step, finest first. */
export const STEPS: readonly SeriesStep[] = ['1m', '5m', '15m', '1h', '1d', '1w', '1mo']

/** The rollup a step reads; steps coarser than it merge several stored buckets. */
export const STEP_SOURCE: Record<SeriesStep, Table> = {
  '1m': 'agg_1m', '5m': 'agg_1m', '15m': 'agg_1m', '1h': 'agg_1h', '1d': 'agg_1d', '1w': 'agg_1d', '1mo': 'agg_1d',
}

const FIXED_MS: { readonly [S in SeriesStep]?: number } = { '1m': MINUTE_MS, '5m': 5 * MINUTE_MS, '15m': 15 * MINUTE_MS, '1h': HOUR_MS }

/** Adds a query parameter and returns its placeholder ($n). */
export type Bind = (value: unknown) => string

/**
 * SQL for the start of the step's bucket that holds the stored `bucket` column. Sub-hour steps are UTC
 * (epoch) aligned like the minute rollup; weeks and months follow the zone's calendar. `originMs` is a
 * local midnight that starts a week (a Monday, or whatever day a shifted comparison starts on).
 */
export function bucketSql(engine: DbEngine, step: SeriesStep, bind: Bind, zone: { timeZone: string, originMs: number }): string {
  const isTimescale = engine === 'timescaledb'
  switch (step) {
    case '1m':
    case '1h':
    case '1d':
      return 'bucket'
    case '5m':
    case '15m': {
      const width = `'${FIXED_MS[step]! / MINUTE_MS} minutes'`
      return isTimescale ? `time_bucket(${width}, bucket)` : `date_bin(${width}, bucket, timestamptz 'epoch')`
    }
    case '1w': {
      const tz = bind(zone.timeZone)
      if (isTimescale) {
        return `time_bucket('1 week', bucket, ${tz}::text, ${bind(new Date(zone.originMs).toISOString())}::timestamptz)`
      }
      // Binned in local wall time, so a week is 7 local days even where clocks change.
      return `(date_bin('7 days', bucket at time zone ${tz}::text, ${bind(localWallText(zone.originMs, zone.timeZone))}::timestamp) at time zone ${tz}::text)`
    }
    case '1mo': {
      const tz = bind(zone.timeZone)
      return isTimescale ? `time_bucket('1 month', bucket, ${tz}::text)` : `date_trunc('month', bucket, ${tz}::text)`
    }
  }
}

/**
 * Stored partials of some regions and metrics with bucket in [fromMs, toMs), merged in the database per
 * region, metric and group; `groupSql` yields the group key as a number (e.g. a bucket start in epoch ms).
 */
export async function mergeGroups(db: Queryable, q: { table: Table, regions: string[], metrics: string[], fromMs: number, toMs: number, groupSql: (bind: Bind) => string }): Promise<PartialRow[]> {
  const params: unknown[] = [q.regions, q.metrics, q.fromMs, q.toMs]
  const bind: Bind = (value) => `$${params.push(value)}`
  const { rows } = await db.query<StoredPartialRow>(
    `select region, metric, ${q.groupSql(bind)} as t, sum(n)::float8 as n, sum(sum)::float8 as sum, sum(w)::float8 as w,
            min(min) as min, max(max) as max, merge_partial_x_agg(x) as x
     from ${q.table}
     where region = any($1::text[]) and metric = any($2::text[])
       and bucket >= to_timestamp($3 / 1000.0) and bucket < to_timestamp($4 / 1000.0)
     group by region, metric, 3`,
    params,
  )
  return rows.map(toPartialRow)
}

/** Start of the step's bucket holding ms: UTC minutes and hours; the local midnight, Monday or 1st of month. */
export function alignDown(ms: number, step: SeriesStep, timeZone: string): number {
  const fixed = FIXED_MS[step]
  if (fixed !== undefined) {
    return ms - mod(ms, fixed)
  }
  const day = localWall(localDayStart(ms, timeZone), timeZone)
  if (step === '1d') {
    return localMidnight(day.y, day.mo, day.d, timeZone)
  }
  if (step === '1w') {
    const daysSinceMonday = (new Date(Date.UTC(day.y, day.mo, day.d)).getUTCDay() + 6) % 7
    return localMidnight(day.y, day.mo, day.d - daysSinceMonday, timeZone)
  }
  return localMidnight(day.y, day.mo, 1, timeZone)
}

/** ms moved by n steps (back when negative), in local calendar days, weeks and months for 1d, 1w, 1mo. */
export function addSteps(ms: number, step: SeriesStep, n: number, timeZone: string): number {
  const fixed = FIXED_MS[step]
  if (fixed !== undefined) {
    return ms + n * fixed
  }
  return step === '1mo' ? shiftLocal(ms, { months: n }, timeZone) : shiftLocal(ms, { days: step === '1w' ? 7 * n : n }, timeZone)
}

/** Bucket starts from the step's bucket holding fromMs up to (excluding) toMs; stops after `limit`. */
export function bucketStarts(fromMs: number, toMs: number, step: SeriesStep, timeZone: string, limit = Infinity): number[] {
  const starts: number[] = []
  for (let t = alignDown(fromMs, step, timeZone); t < toMs && starts.length < limit; t = addSteps(t, step, 1, timeZone)) {
    starts.push(t)
  }
  return starts
}

/** How many buckets bucketStarts returns, computed without walking them. */
export function countBuckets(fromMs: number, toMs: number, step: SeriesStep, timeZone: string): number {
  const first = alignDown(fromMs, step, timeZone)
  const fixed = FIXED_MS[step]
  if (fixed !== undefined) {
    return Math.ceil((toMs - first) / fixed)
  }
  const last = alignDown(toMs - 1, step, timeZone)
  if (step === '1mo') {
    const [a, b] = [localWall(first, timeZone), localWall(last, timeZone)]
    return (b.y - a.y) * 12 + b.mo - a.mo + 1
  }
  // Local days are 23 to 25 hours where clocks change.
  const days = Math.round((last - first) / DAY_MS)
  return (step === '1w' ? days / 7 : days) + 1
}

/**
 * ms moved by whole local years, months and days at the same wall time (a local midnight stays one); the
 * day of month is clamped when months or years move it (29 Feb 2028 → 28 Feb 2027).
 */
export function shiftLocal(ms: number, delta: { years?: number, months?: number, days?: number }, timeZone: string): number {
  const w = localWall(ms, timeZone)
  const months = w.mo + (delta.months ?? 0)
  const y = w.y + (delta.years ?? 0) + Math.floor(months / 12)
  const mo = mod(months, 12)
  const d = (delta.years || delta.months ? Math.min(w.d, daysInMonth(y, mo)) : w.d) + (delta.days ?? 0)
  if (isLocalMidnight(ms, timeZone)) {
    return localMidnight(y, mo, d, timeZone)
  }
  return instantOf(Date.UTC(y, mo, d, w.h, w.mi, w.s, w.ms), timeZone)
}

/** Whether ms is a local midnight of the zone (a day rollup bucket boundary). */
export function isLocalMidnight(ms: number, timeZone: string): boolean {
  return ms === localDayStart(ms, timeZone)
}

/** Local wall time as `YYYY-MM-DD HH:mm:ss`. */
export function localWallText(ms: number, timeZone: string): string {
  return new Date(ms + zoneOffsetMs(ms, timeZone)).toISOString().slice(0, 19).replace('T', ' ')
}

export interface Wall { y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number }

/** Local calendar fields (month 0-based, like Date). */
export function localWall(ms: number, timeZone: string): Wall {
  const local = new Date(ms + zoneOffsetMs(ms, timeZone))
  return {
    y: local.getUTCFullYear(), mo: local.getUTCMonth(), d: local.getUTCDate(),
    h: local.getUTCHours(), mi: local.getUTCMinutes(), s: local.getUTCSeconds(), ms: local.getUTCMilliseconds(),
  }
}

/** The instant whose local wall time, written as if it were UTC, is wallMs. */
function instantOf(wallMs: number, timeZone: string): number {
  const guess = wallMs - zoneOffsetMs(wallMs, timeZone)
  return wallMs - zoneOffsetMs(guess, timeZone)
}

/** Local midnight of a calendar day (month and day may overflow, as in Date.UTC). */
function localMidnight(y: number, mo: number, d: number, timeZone: string): number {
  return localDayStart(instantOf(Date.UTC(y, mo, d, 12), timeZone), timeZone)
}

function daysInMonth(y: number, mo: number): number {
  return new Date(Date.UTC(y, mo + 1, 0)).getUTCDate()
}

function mod(a: number, b: number): number {
  return ((a % b) + b) % b
}
