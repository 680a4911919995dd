import type { CaseCounts } from '@city/metrics'
import type { CaseSummary, DepartmentRow } from '@city/metrics/wire'
import type { Queryable } from '@city/platform'

/**
 * Open and overdue work orders per region (each case counts in its leaf and every ancestor); regions
 * with none are left out. `within` are regions that every one of `regions` is or lies in (e.g. the rooms
 * whose children they are): the cases to look at are found by the few of them, not by every region.
 */
export async function caseCounts(db: Queryable, regions: string[], within: string[], nowMs: number): Promise<Map<string, CaseCounts>> {
  // Counted per lineage first (one per leaf region), then spread over the regions of each lineage.
  const { rows } = await db.query<{ region: string, open: number, overdue: number }>(
    `select l.region, sum(g.open)::int as open, sum(g.overdue)::int as overdue
     from (select lineage, count(*) as open, count(*) filter (where deadline < to_timestamp($3 / 1000.0)) as overdue
           from cases where lineage && $2::text[] and stage not in ('closed', 'cancelled') group by lineage) as g
       cross join unnest(g.lineage) as l(region)
     where l.region = any($1::text[])
     group by l.region`,
    [regions, within, nowMs],
  )
  return new Map(rows.map((r) => [r.region, { open: r.open, overdue: r.overdue }]))
}

interface CaseRow {
  room: string
  id: string
  region: string | null
  category: string
  channel: CaseSummary['channel']
  stage: CaseSummary['stage']
  stage_at: Date
  reported_at: Date
  deadline: Date
  severity: number
  dept: string | null
  title: string
}

/** How many of the most recently changed cases are looked through first, per region asked for and at most. */
const CANDIDATES_PER_REGION = 80
const MAX_CANDIDATES = 1000

/**
 * Each region's `limit` most recently changed work orders, newest first. They are looked for among the
 * most recent cases of all (one short index scan, however many regions and however long the history);
 * only a region with too few of those is read through the lineage index, and it has few cases then.
 */
export async function recentCases(db: Queryable, regions: string[], nowMs: number, limit: number): Promise<Map<string, CaseSummary[]>> {
  const candidates = Math.min(MAX_CANDIDATES, CANDIDATES_PER_REGION * regions.length)
  // Positions and ordinals, not text keys, are what gets sorted (text sorts under the collation cost most).
  const { rows } = await db.query<CaseRow & { complete: boolean }>(
    `with recent as (
       select row_number() over () as pos, c.* from (
         select id, region, lineage, category, channel, stage, stage_at, reported_at, deadline, severity, dept, title
         from cases order by stage_at desc, id limit $3) as c),
     ranked as (
       select q.k, q.room, r.*, row_number() over (partition by q.k order by r.pos) as rank
       from recent r cross join unnest(r.lineage) as l(region) join unnest($1::text[]) with ordinality as q(room, k) on q.room = l.region)
     select room, (select count(*) from recent) < $3 as complete, id, region, category, channel, stage, stage_at, reported_at, deadline, severity, dept, title
     from ranked where rank <= $2 order by k, rank`,
    [regions, limit, candidates],
  )
  const found = new Map<string, CaseRow[]>(regions.map((region) => [region, rows.filter((r) => r.room === region)]))
  // Fewer candidates than asked for: those were every case there is.
  const short = rows[0]?.complete ? [] : regions.filter((region) => found.get(region)!.length < limit)
  if (short.length > 0) {
    const { rows: more } = await db.query<CaseRow>(
      `select r.room, c.* from unnest($1::text[]) with ordinality as r(room, k)
         cross join lateral (
           select id, region, category, channel, stage, stage_at, reported_at, deadline, severity, dept, title
           from cases where lineage @> array[r.room] order by stage_at desc, id limit $2) as c`,
      [short, limit],
    )
    short.forEach((region) => found.set(region, more.filter((r) => r.room === region)))
  }
  return new Map([...found].map(([region, cases]) => [region, cases.map((r) => toSummary(r, nowMs))]))
}

function toSummary(r: CaseRow, nowMs: number): CaseSummary {
  const deadline = new Date(r.deadline)
  return {
    id: r.id, region: r.region, category: r.category, channel: r.channel, stage: r.stage,
    stageAt: new Date(r.stage_at).toISOString(), reportedAt: new Date(r.reported_at).toISOString(),
    deadline: deadline.toISOString(),
    overdue: r.stage !== 'closed' && r.stage !== 'cancelled' && deadline.getTime() < nowMs,
    severity: r.severity, dept: r.dept, title: r.title,
  }
}

/**
 * Work orders of a region per department: open and overdue at nowMs, and reported, closed and closed by
 * the deadline in [fromMs, toMs); a department with none of these is left out. Only cases that can count
 * are read: open ones, and those reported or last changed since fromMs.
 */
export async function departmentCounts(db: Queryable, region: string, fromMs: number, toMs: number, nowMs: number): Promise<Omit<DepartmentRow, 'name' | 'onTimeRate'>[]> {
  const { rows } = await db.query<Omit<DepartmentRow, 'name' | 'onTimeRate'>>(
    `with c as (
       select dept, stage, stage_at, reported_at, deadline, stage not in ('closed', 'cancelled') as is_open,
              stage = 'closed' and stage_at >= to_timestamp($2 / 1000.0) and stage_at < to_timestamp($3 / 1000.0) as closed_in,
              reported_at >= to_timestamp($2 / 1000.0) and reported_at < to_timestamp($3 / 1000.0) as reported_in
       from cases
       where lineage @> array[$1::text]
         and (stage not in ('closed', 'cancelled') or stage_at >= to_timestamp($2 / 1000.0) or reported_at >= to_timestamp($2 / 1000.0)))
     select dept,
            count(*) filter (where is_open)::int as open,
            count(*) filter (where is_open and deadline < to_timestamp($4 / 1000.0))::int as overdue,
            count(*) filter (where reported_in)::int as reported,
            count(*) filter (where closed_in)::int as closed,
            count(*) filter (where closed_in and stage_at <= deadline)::int as "closedOnTime"
     from c group by dept
     having bool_or(is_open or closed_in or reported_in)`,
    [region, fromMs, toMs, nowMs],
  )
  return rows
}
