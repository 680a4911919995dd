import type { CaseState, RegionTree } from '@city/metrics'
import type { Db, Queryable } from '@city/platform'
import type { Batch } from '../pipeline/batch.js'
import type { MessageIds } from '../pipeline/message-ids.js'
import type { PartialTable } from '../pipeline/partial-table.js'
import { rollUp, type Resolution } from './rollup.js'

/** Where each resolution's partials are stored: one row per region and bucket (migration 009). */
const CELLS: Record<Resolution, string> = { '1m': 'agg_1m_cells', '1h': 'agg_1h_cells', '1d': 'agg_1d_cells' }

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
 * Commits a batch in ONE transaction: aggregates at every level and resolution, case states, quality
 * counts, the consumer's offsets and the pipeline's version. A crash before commit loses nothing (the
 * offsets did not move); a crash after it never double-counts (the offsets moved with the data).
 * Offsets move only from where this consumer read them (compare-and-set): a worker that lost its
 * partitions in a rebalance, or raced their new owner, has its whole transaction rejected.
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
  return db.transaction(async (tx) => {
    for (const resolution of ['1m', '1h', '1d'] as const) {
      await upsertPartials(tx, CELLS[resolution], rolled[resolution])
    }
    await upsertCases(tx, [...batch.cases.values()], options.tree)
    await upsertQuality(tx, batch.quality)
    await moveOffsets(tx, options.consumer, [...batch.offsets.values()], options.readFrom)
    const watermark = Number.isFinite(batch.watermarkMs) ? new Date(batch.watermarkMs).toISOString() : null
    const { rows } = await tx.query<{ version: number, committed_at: Date, watermark: Date | null }>(
      `insert into pipeline_state as s (name, version, committed_at, watermark) values ($1, nextval('commit_version'), now(), $2)
       on conflict (name) do update set version = excluded.version, committed_at = now(), watermark = greatest(s.watermark, excluded.watermark)
       returning version::float8 as version, committed_at, watermark`,
      [options.stream, watermark],
    )
    const row = rows[0]!
    await rememberIds(tx, batch.seenIds, row.watermark, options.dedupeWindowMs ?? 3_600_000)
    await upsertRegionState(tx, row.version, freshness)
    return { version: Number(row.version), committedAt: new Date(row.committed_at).toISOString(), regions: [...freshness.keys()] }
  })
}

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

async function upsertRegionState(tx: Queryable, version: number, freshness: Map<string, number>): Promise<void> {
  if (freshness.size === 0) {
    return
  }
  await tx.query(
    `insert into region_state as s (region, version, event_time, committed_at)
     select r, $1, to_timestamp(t / 1000.0), now() from unnest($2::text[], $3::float8[]) as x(r, t)
     on conflict (region) do update set version = excluded.version, committed_at = excluded.committed_at,
       event_time = greatest(s.event_time, excluded.event_time)`,
    [version, [...freshness.keys()], [...freshness.values()]],
  )
}

/**
 * One statement per table and batch: every cell (region and bucket) of the batch merged into its stored
 * cell. Cells travel field by field as separated lists that the server splits with string_to_array,
 * a cell's own values once more by ';' (node-postgres writes arrays as quoted literals element by
 * element and the server parses them back, which cost more than the insert itself). Sending cells
 * rather than rows spares the server grouping the rows itself (sorting them, then aggregating: more
 * than the insert). Cells go in in key order, sorted here (sorting them in the statement spilled to
 * disk): the primary key's index fills faster, and concurrent workers lock cells they share
 * (ancestors) in the same order, so they wait for each other instead of deadlocking.
 */
async function upsertPartials(tx: Queryable, table: string, rows: PartialTable): Promise<void> {
  const cells = rows.filledCells()
  if (cells.length === 0) {
    return
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
  /** A cell's field back as an array: nulls were written as NULL_ITEM. */
  const items = (field: string) => `string_to_array(${field}, ';', '${NULL_ITEM}')`
  await tx.query(
    `insert into ${table} as c (region, bucket, metric, n, sum, w, min, max, x)
     select r, to_timestamp(b / 1000.0), string_to_array(m, ';'), ${items('n')}::float8[], ${items('s')}::float8[], ${items('w')}::float8[],
            ${items('mn')}::float8[], ${items('mx')}::float8[], string_to_array(x, E'\\x1f', '${NULL_ITEM}')::jsonb[]
     from unnest(string_to_array($1, ','), string_to_array($2, ',')::float8[], string_to_array($3, ','), string_to_array($4, ','), string_to_array($5, ','),
                 string_to_array($6, ','), string_to_array($7, ','), string_to_array($8, ','), string_to_array($9, E'\\x1e')) as t(r, b, m, n, s, w, mn, mx, x)
     on conflict (region, bucket) do update set (metric, n, sum, w, min, max, x) = (select * from merge_partial_cells(
       c.metric, c.n, c.sum, c.w, c.min, c.max, c.x, excluded.metric, excluded.n, excluded.sum, excluded.w, excluded.min, excluded.max, excluded.x))`,
    [
      fields.region.join(','), fields.bucket.join(','), fields.metric.join(','), fields.n.join(','), fields.sum.join(','), fields.w.join(','),
      fields.min.join(','), fields.max.join(','), fields.x.join(RECORD_SEPARATOR),
    ],
  )
}

/**
 * A missing value inside a cell's list (an empty extreme, no maps). Not an empty item: a cell of one
 * metric would be an empty list, which string_to_array reads as no items at all.
 */
const NULL_ITEM = 'null'
/**
 * Separate JSON texts in a cell's list and the cells' lists: JSON.stringify escapes every control
 * character, so neither occurs inside one. (Region ids never hold a comma or a semicolon, the region
 * tree allows neither; nor do the catalog's metric ids, like traffic.flow.)
 */
const UNIT_SEPARATOR = '\x1f'
const RECORD_SEPARATOR = '\x1e'

/** An extreme as a list item: ±Infinity (nothing observed) is null. */
const extreme = (v: number): string | number => (Number.isFinite(v) ? v : NULL_ITEM)

async function upsertCases(tx: Queryable, cases: CaseState[], tree: RegionTree): Promise<void> {
  if (cases.length === 0) {
    return
  }
  const iso = (ms: number) => new Date(ms).toISOString()
  await tx.query(
    `insert into cases (id, region, lineage, category, channel, severity, title, dept, stage, stage_at, reported_at, deadline, state)
     select id, region, string_to_array(lineage, ','), category, channel, severity, title, dept, stage, stage_at, reported_at, deadline, state::jsonb
     from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::text[], $8::text[], $9::text[],
                 $10::timestamptz[], $11::timestamptz[], $12::timestamptz[], $13::text[])
       as t(id, region, lineage, category, channel, severity, title, dept, stage, stage_at, reported_at, deadline, state)
     on conflict (id) do update set region = excluded.region, lineage = excluded.lineage, category = excluded.category,
       channel = excluded.channel, severity = excluded.severity, title = excluded.title, dept = excluded.dept,
       stage = excluded.stage, stage_at = excluded.stage_at, reported_at = excluded.reported_at,
       deadline = excluded.deadline, state = excluded.state`,
    [
      cases.map((c) => c.id), cases.map((c) => c.region), cases.map((c) => (c.region ? tree.get(c.region)!.lineage.join(',') : '')),
      cases.map((c) => c.category), cases.map((c) => c.channel), cases.map((c) => c.severity), cases.map((c) => c.title),
      cases.map((c) => c.dept), cases.map((c) => c.stage), cases.map((c) => iso(c.stageMs)), cases.map((c) => iso(c.reportedMs)),
      cases.map((c) => iso(c.deadlineMs)), cases.map((c) => JSON.stringify(c)),
    ],
  )
}

/** Stores this batch's message ids and forgets those older than the window behind the watermark. */
async function rememberIds(tx: Queryable, ids: MessageIds, watermark: Date | null, windowMs: number): Promise<void> {
  if (ids.size > 0) {
    // Ids are any text: they travel as one JSON array, their times as one comma-joined list. Every id
    // is new here (the pipeline asked loadSeenIds and dropped the batch's own repeats), and in the
    // order of the hash index they fill twice as fast.
    await tx.query(
      `insert into seen_messages (id, first_at)
       select id, to_timestamp(ms / 1000.0)
       from unnest(array(select json_array_elements_text($1::json)), string_to_array($2, ',')::float8[]) as t(id, ms)
       order by hashtextextended(id, 0)`,
      [JSON.stringify(ids.keys()), ids.values().join(',')],
    )
  }
  if (watermark) {
    await tx.query('delete from seen_messages where first_at < $1::timestamptz - make_interval(secs => $2::float8 / 1000)', [watermark, windowMs])
  }
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

async function upsertQuality(tx: Queryable, quality: Map<string, number>): Promise<void> {
  if (quality.size === 0) {
    return
  }
  const keys = [...quality.keys()].map((k) => k.split('|') as [string, string, string])
  await tx.query(
    `insert into quality as q (day, source, reason, count)
     select d::date, s, r, c from unnest($1::text[], $2::text[], $3::text[], $4::int8[]) as t(d, s, r, c)
     on conflict (day, source, reason) do update set count = q.count + excluded.count`,
    [keys.map((k) => k[0]), keys.map((k) => k[1]), keys.map((k) => k[2]), [...quality.values()]],
  )
}

async function moveOffsets(tx: Queryable, consumer: string, offsets: { topic: string, partition: number, nextOffset: number }[], readFrom: ReadonlyMap<string, number>): Promise<void> {
  const key = (o: { topic: string, partition: number }) => `${o.topic}|${o.partition}`
  const fresh = offsets.filter((o) => !readFrom.has(key(o)))
  const moved = offsets.filter((o) => readFrom.has(key(o)))
  if (fresh.length > 0) {
    const { rows } = await tx.query(
      `insert into stream_offsets (consumer, topic, partition, next_offset)
       select $1, t, p, o from unnest($2::text[], $3::int[], $4::int8[]) as x(t, p, o)
       on conflict do nothing returning partition`,
      [consumer, fresh.map((o) => o.topic), fresh.map((o) => o.partition), fresh.map((o) => o.nextOffset)],
    )
    if (rows.length !== fresh.length) {
      throw new OffsetConflictError(`${consumer}: another consumer stored offsets first for ${fresh.map(key).join(', ')}`)
    }
  }
  if (moved.length > 0) {
    const { rows } = await tx.query(
      `update stream_offsets s set next_offset = x.o
       from unnest($2::text[], $3::int[], $4::int8[], $5::int8[]) as x(t, p, o, e)
       where s.consumer = $1 and s.topic = x.t and s.partition = x.p and s.next_offset = x.e
       returning s.partition`,
      [consumer, moved.map((o) => o.topic), moved.map((o) => o.partition), moved.map((o) => o.nextOffset), moved.map((o) => readFrom.get(key(o))!)],
    )
    if (rows.length !== moved.length) {
      throw new OffsetConflictError(`${consumer}: offsets moved under this consumer for ${moved.map(key).join(', ')}`)
    }
  }
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
