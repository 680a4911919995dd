import type { CaseCounts } from '@city/metrics'
import type { CaseSummary } from '@city/metrics/wire'
import type { Queryable } from '@city/platform'

/** Open and overdue work orders per region (each case counts in its leaf and every ancestor). */
export async function caseCounts(db: Queryable, regions: string[], nowMs: number): Promise<Map<string, CaseCounts>> {
  const { rows } = await db.query<{ region: string, open: number, overdue: number }>(
    `select r as region,
            count(*) filter (where stage not in ('closed', 'cancelled'))::int as open,
            count(*) filter (where stage not in ('closed', 'cancelled') and deadline < to_timestamp($2 / 1000.0))::int as overdue
     from cases, unnest(lineage) as r
     where lineage && $1::text[] and r = any($1::text[])
     group by r`,
    [regions, nowMs],
  )
  return new Map(rows.map((r) => [r.region, { open: r.open, overdue: r.overdue }]))
}

interface CaseRow {
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

/** The region's most recently changed work orders, newest first. */
export async function recentCases(db: Queryable, region: string, nowMs: number, limit: number): Promise<CaseSummary[]> {
  const { rows } = await db.query<CaseRow>(
    `select id, region, category, channel, stage, stage_at, reported_at, deadline, severity, dept, title
     from cases where lineage @> array[$1]::text[] order by stage_at desc, id limit $2`,
    [region, limit],
  )
  return rows.map((r) => {
    const deadline = new Date(r.deadline)
    return {
      id: r.id, region: r.region, category: r.category, channel: r.channel, stage: r.stage,
      stageAt: new Date(r.stage_at).toISOString(), reportedAt: new Date(r.reported_at).toISOString(),
      deadline: deadline.toISOString(),
      overdue: r.stage !== 'closed' && r.stage !== 'cancelled' && deadline.getTime() < nowMs,
      severity: r.severity, dept: r.dept, title: r.title,
    }
  })
}
