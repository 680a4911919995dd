import type { CaseState, RegionTree } from '@city/metrics'
import type { Db, Queryable } from '@city/platform'
import type { Batch } from '../pipeline/batch.js'
import type { PartialTable } from '../pipeline/partial-table.js'
import { rollUp, type Resolution } from './rollup.js'

export interface CommitResult {
  version: number
  committedAt: string
  regions: string[]
}

export interface CommitOptions {
  /** Whose offsets these are (a consumer group, or 'replay'). */
  consumer: string
  /** The stream whose watermark this batch advances (lateness is measured per stream). */
  stream: string
  tree: RegionTree
  timeZone: string
  /** Ids are remembered this long (in stream time) after their first copy. @default 3600000 */
  dedupeWindowMs?: number
  /** `${topic}|${partition}` → the stored next offset this consumer read from; absent = no row yet. */
  readFrom: ReadonlyMap<string, number>
}

/** Another consumer moved the offsets since this one read them: its batch must be dropped and re-read. */
export class OffsetConflictError extends Error {
  override name = 'OffsetConflictError'
}

/**
 * Commits a batch in ONE transaction, one statement (commit_batch, migration 011): aggregates at every
 * level and resolution, case states, quality counts, the consumer's offsets, the pipeline's version,
 * the dedupe ids and region freshness. A crash before commit loses nothing (the offsets did not move);
 * a crash after it never double-counts (the offsets moved with the data). Offsets move only from where
 * this consumer read them (compare-and-set): a worker that lost its partitions in a rebalance, or raced
 * their new owner, has its whole transaction rejected.
 */
export async function commitBatch(db: Db, batch: Batch, options: CommitOptions): Promise<CommitResult> {
  const freshness = freshnessOf(batch, options.tree)
  const rolled = rollUp(batch.leaves, options.tree, options.timeZone)
  try {
    return await commitRolled(db, batch, rolled, freshness, options)
  } finally {
    for (const table of Object.values(rolled)) {
      table.release()
    }
  }
}

async function commitRolled(db: Db, batch: Batch, rolled: Record<Resolution, PartialTable>, freshness: Map<string, number>, options: CommitOptions): Promise<CommitResult> {
  const { consumer, stream, tree, readFrom } = options
  const watermark = Number.isFinite(batch.watermarkMs) ? new Date(batch.watermarkMs).toISOString() : null
  const ids = batch.seenIds
  // expected: the stored next offset this consumer read from; null where it found no row.
  const offsets = [...batch.offsets.values()].map((o) => ({
    topic: o.topic, partition: o.partition, next_offset: o.nextOffset, expected: readFrom.get(`${o.topic}|${o.partition}`) ?? null,
  }))
  try {
    const { rows } = await db.query<{ version: number, committed_at: Date }>(
      'select version, committed_at from commit_batch($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)',
      [
        consumer, stream, watermark, options.dedupeWindowMs ?? 3_600_000,
        cellLists(rolled['1m']), cellLists(rolled['1h']), cellLists(rolled['1d']),
        casesJson([...batch.cases.values()], tree), qualityJson(batch.quality),
        JSON.stringify(offsets),
        JSON.stringify(ids.keys()), ids.values().join(','), [...freshness.keys()], [...freshness.values()],
      ],
    )
    const row = rows[0]!
    return { version: Number(row.version), committedAt: new Date(row.committed_at).toISOString(), regions: [...freshness.keys()] }
  } catch (error) {
    if ((error as { code?: unknown }).code === OFFSET_CONFLICT) {
      throw new OffsetConflictError((error as Error).message)
    }
    throw error
  }
}

/** The SQLSTATE commit_batch raises when offsets moved under the consumer (migration 011). */
const OFFSET_CONFLICT = 'CY409'

/** Every region a batch changed (leaves and ancestors) with its newest event time. */
function freshnessOf(batch: Batch, tree: RegionTree): Map<string, number> {
  const out = new Map<string, number>()
  for (const [leaf, tsMs] of batch.regionEventMs) {
    for (const region of tree.get(leaf)!.lineage) {
      out.set(region, Math.max(out.get(region) ?? -Infinity, tsMs))
    }
  }
  return out
}

/**
 * Every cell (region and bucket) of a table as the nine lists upsert_partial_cells merges into the
 * stored cells (migration 011), or null when there is none. Cells travel field by field as separated
 * lists that the server splits with string_to_array, a cell's own values once more by ';'
 * (node-postgres writes arrays as quoted literals element by element and the server parses them back,
 * which cost more than the insert itself). Sending cells rather than rows spares the server grouping the
 * rows itself (sorting them, then aggregating: more than the insert). Cells go in in key order, sorted
 * here (sorting them in the statement spilled to disk): the primary key's index fills faster, and
 * concurrent workers lock cells they share (ancestors) in the same order, so they wait for each other
 * instead of deadlocking.
 */
function cellLists(rows: PartialTable): string | null {
  const cells = rows.filledCells()
  if (cells.length === 0) {
    return null
  }
  // In key order (a fixed order of region ids, then time): see above.
  cells.sort((a, b) => (a.region < b.region ? -1 : a.region > b.region ? 1 : a.bucketMs - b.bucketMs))
  const { columns } = rows
  // Per cell, its rows' values joined by ';' (strings built up: a cell has a handful of rows).
  const fields = { region: [] as string[], bucket: [] as number[], metric: [] as string[], n: [] as string[], sum: [] as string[], w: [] as string[], min: [] as string[], max: [] as string[], x: [] as string[] }
  for (const cell of cells) {
    let [metric, n, sum, w, min, max, x] = ['', '', '', '', '', '', '']
    for (const i of rows.rowsOf(cell)) {
      const separator = metric === '' ? '' : ';'
      const hist = columns.histOf(i)
      const last = columns.lastOf(i)
      metric += separator + rows.metricOf(i)
      n += separator + columns.n[i]
      sum += separator + columns.sum[i]
      w += separator + columns.w[i]
      min += separator + extreme(columns.min[i]!)
      max += separator + extreme(columns.max[i]!)
      x += (separator && UNIT_SEPARATOR) + (hist || last ? JSON.stringify({ hist, last }) : NULL_ITEM)
    }
    fields.region.push(cell.region)
    fields.bucket.push(cell.bucketMs)
    fields.metric.push(metric)
    fields.n.push(n)
    fields.sum.push(sum)
    fields.w.push(w)
    fields.min.push(min)
    fields.max.push(max)
    fields.x.push(x)
  }
  return [
    fields.region.join(','), fields.bucket.join(','), fields.metric.join(','), fields.n.join(','), fields.sum.join(','), fields.w.join(','),
    fields.min.join(','), fields.max.join(','), fields.x.join(RECORD_SEPARATOR),
  ].join(GROUP_SEPARATOR)
}

/**
 * A missing value inside a cell's list (an empty extreme, no maps). Not an empty item: a cell of one
 * metric would be an empty list, which string_to_array reads as no items at all.
 */
const NULL_ITEM = 'null'
/**
 * Separate JSON texts in a cell's list, the cells' lists, and a table's nine lists: JSON.stringify
 * escapes every control character, so none occurs inside one. (Region ids never hold a comma or a
 * semicolon, the region tree allows neither; nor do the catalog's metric ids, like traffic.flow.)
 */
const UNIT_SEPARATOR = '\x1f'
const RECORD_SEPARATOR = '\x1e'
const GROUP_SEPARATOR = '\x1d'

/** An extreme as a list item: ±Infinity (nothing observed) is null. */
const extreme = (v: number): string | number => (Number.isFinite(v) ? v : NULL_ITEM)

/** Work orders as the rows of `cases`: the columns the screens filter on, and the whole state. */
function casesJson(cases: CaseState[], tree: RegionTree): string {
  const iso = (ms: number) => new Date(ms).toISOString()
  return JSON.stringify(cases.map((c) => ({
    id: c.id, region: c.region, lineage: c.region ? tree.get(c.region)!.lineage : [], category: c.category, channel: c.channel,
    severity: c.severity, title: c.title, dept: c.dept, stage: c.stage, stage_at: iso(c.stageMs), reported_at: iso(c.reportedMs),
    deadline: iso(c.deadlineMs), state: c,
  })))
}

/** Quality counts (keyed `day|source|reason`) as the rows of `quality`. */
function qualityJson(quality: Map<string, number>): string {
  return JSON.stringify([...quality].map(([key, count]) => {
    const [day, source, reason] = key.split('|') as [string, string, string]
    return { day, source, reason, count }
  }))
}

/** Which of these ids were already counted (seen_messages.h is hashtextextended(id, 0)). */
export async function loadSeenIds(db: Queryable, ids: string[]): Promise<Set<string>> {
  const { rows } = await db.query<{ id: string }>(
    `select q.id from unnest(array(select json_array_elements_text($1::json))) as q(id)
     join seen_messages s on s.h = hashtextextended(q.id, 0) and s.id = q.id`,
    [JSON.stringify(ids)],
  )
  return new Set(rows.map((r) => r.id))
}

/** Stored states of these cases (for events of cases this process has not seen). */
export async function loadCaseStates(db: Queryable, ids: string[]): Promise<CaseState[]> {
  const { rows } = await db.query<{ state: CaseState }>('select state from cases where id = any($1::text[])', [ids])
  return rows.map((r) => r.state)
}

/** Where this consumer left off, per topic and partition. */
export async function loadOffsets(db: Queryable, consumer: string): Promise<{ topic: string, partition: number, nextOffset: number }[]> {
  const { rows } = await db.query<{ topic: string, partition: number, next_offset: number }>(
    'select topic, partition, next_offset::float8 as next_offset from stream_offsets where consumer = $1', [consumer],
  )
  return rows.map((r) => ({ topic: r.topic, partition: r.partition, nextOffset: Number(r.next_offset) }))
}

/** Newest event time a stream has committed, or null. */
export async function loadWatermark(db: Queryable, stream: string): Promise<number | null> {
  const { rows } = await db.query<{ watermark: Date | null }>('select watermark from pipeline_state where name = $1', [stream])
  const w = rows[0]?.watermark
  return w ? new Date(w).getTime() : null
}

/** When the earliest stored work order was reported, or null: where a resumed simulator's cases begin. */
export async function loadFirstCaseReport(db: Queryable): Promise<number | null> {
  const { rows } = await db.query<{ first: Date | null }>('select min(reported_at) as first from cases')
  const first = rows[0]?.first
  return first ? new Date(first).getTime() : null
}
