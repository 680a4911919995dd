import { emptyPartial, mergeInto, type Partial } from '@city/metrics'
import type { Queryable } from '@city/platform'

export interface PartialRow {
  region: string
  metric: string
  /** Bucket start, epoch ms. */
  t: number
  partial: Partial
}

/** A partial as the database returns it (min/max null when empty, x holding histogram or latest maps). */
export interface StoredPartialRow {
  region: string
  metric: string
  t: number
  n: number
  sum: number
  w: number
  min: number | null
  max: number | null
  x: { hist?: Record<string, number>, last?: Record<string, [number, number, number]> } | null
}

export type Table = 'agg_1m' | 'agg_1h' | 'agg_1d'

/** Stored partials of some regions and metrics with bucket in [fromMs, toMs). */
export async function loadPartials(db: Queryable, table: Table, regions: string[], metrics: string[] | null, fromMs: number, toMs: number): Promise<PartialRow[]> {
  const { rows } = await db.query<StoredPartialRow>(
    `select region, metric, extract(epoch from bucket)::float8 * 1000 as t, n, sum, w, min, max, x
     from ${table}
     where region = any($1::text[]) and ($2::text[] is null or metric = any($2::text[]))
       and bucket >= to_timestamp($3 / 1000.0) and bucket < to_timestamp($4 / 1000.0)`,
    [regions, metrics, fromMs, toMs],
  )
  return rows.map(toPartialRow)
}

export function toPartialRow(r: StoredPartialRow): PartialRow {
  return {
    region: r.region,
    metric: r.metric,
    t: Number(r.t),
    partial: {
      n: r.n, sum: r.sum, w: r.w, min: r.min ?? Infinity, max: r.max ?? -Infinity,
      ...(r.x?.hist ? { hist: r.x.hist } : {}),
      ...(r.x?.last ? { last: r.x.last } : {}),
    },
  }
}

/** Merges rows per metric into one partial each (e.g. a window of minutes, or a group of regions). */
export function mergeByMetric(rows: Iterable<PartialRow>): Map<string, Partial> {
  const out = new Map<string, Partial>()
  for (const row of rows) {
    let p = out.get(row.metric)
    if (!p) {
      p = emptyPartial()
      out.set(row.metric, p)
    }
    mergeInto(p, row.partial)
  }
  return out
}
