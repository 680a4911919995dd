import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadDemoCity } from '@city/demo-city'
import { loadRegionTree } from '@city/metrics'
import { migrate, openPgliteDb, type Db } from '@city/platform'
import { caseCounts, departmentCounts, recentCases } from './cases.js'

const tree = loadRegionTree(loadDemoCity().regions)
const [busy, quiet] = tree.leaves()
const NOW = Date.parse('2026-11-23T06:30:00Z')
let db: Db

/** What recentCases answers, one plain query per region. */
async function naiveRecent(region: string, limit: number): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>('select id from cases where lineage @> array[$1]::text[] order by stage_at desc, id limit $2', [region, limit])
  return rows.map((r) => r.id)
}

beforeAll(async () => {
  db = await openPgliteDb('memory://')
  await migrate(db)
  // 1,150 recent cases in one leaf, 50 older ones in another (more than the 1,000 looked through first),
  // some changed at the same instant, so ties go by id.
  await db.query(
    `insert into cases (id, region, lineage, category, channel, severity, title, stage, stage_at, reported_at, deadline, state)
     select 'case-' || i, r.leaf, r.lineage, 'road', 'hotline', 2, 'pothole', case when i % 3 = 0 then 'closed' else 'dispatched' end,
            to_timestamp(($1::float8 - (i / 2) * 60000) / 1000.0), to_timestamp(($1::float8 - 86400000) / 1000.0), to_timestamp(($1::float8 + (i % 5 - 2) * 3600000) / 1000.0), '{}'
     from generate_series(1, 1200) as i,
          lateral (select case when i <= 1150 then $2 else $4 end as leaf, case when i <= 1150 then $3::text[] else $5::text[] end as lineage) as r`,
    [NOW, busy!.id, busy!.lineage, quiet!.id, quiet!.lineage],
  )
})

afterAll(async () => {
  await db.close()
})

describe('recentCases', () => {
  it('answers each region like its own query would, also a region with none among the most recent', async () => {
    const regions = [...new Set([tree.root.id, ...busy!.lineage, ...quiet!.lineage])]
    const found = await recentCases(db, regions, NOW, 20)
    for (const region of regions) {
      expect(found.get(region)!.map((c) => c.id), region).toEqual(await naiveRecent(region, 20))
    }
    expect(found.get(quiet!.id)).toHaveLength(20)
    expect(found.get(quiet!.id)!.every((c) => c.overdue === (c.stage !== 'closed' && Date.parse(c.deadline!) < NOW))).toBe(true)
  })
})

describe('caseCounts', () => {
  it('counts open and overdue work orders in each region and its ancestors', async () => {
    const counts = await caseCounts(db, [tree.root.id, busy!.id, quiet!.id], [tree.root.id], NOW)
    const { rows } = await db.query<{ open: number, overdue: number }>(
      `select count(*)::int as open, count(*) filter (where deadline < to_timestamp($1 / 1000.0))::int as overdue from cases where stage <> 'closed'`, [NOW],
    )
    expect(counts.get(tree.root.id)).toEqual(rows[0])
    expect(counts.get(busy!.id)!.open + counts.get(quiet!.id)!.open).toBe(rows[0]!.open)
  })
})

describe('departmentCounts', () => {
  it('leaves out a department whose only case in the range was cancelled (nothing open, reported or closed there)', async () => {
    // Both reported a day before the range; one is closed in it, the other cancelled in it.
    await db.query(
      `insert into cases (id, region, lineage, category, channel, severity, title, dept, stage, stage_at, reported_at, deadline, state)
       select id, $1, $2::text[], 'road', 'hotline', 2, 'pothole', dept, stage, to_timestamp(($3::float8 - 600000) / 1000.0),
              to_timestamp(($3::float8 - 86400000) / 1000.0), to_timestamp(($3::float8 + 3600000) / 1000.0), '{}'
       from (values ('dept-closed', 'huanwei', 'closed'), ('dept-cancelled', 'shuiwu', 'cancelled')) as v(id, dept, stage)`,
      [quiet!.id, quiet!.lineage, NOW],
    )
    const rows = await departmentCounts(db, quiet!.id, NOW - 3_600_000, NOW, NOW)
    expect(rows.find((r) => r.dept === 'huanwei')).toMatchObject({ open: 0, overdue: 0, reported: 0, closed: 1, closedOnTime: 1 })
    expect(rows.some((r) => r.dept === 'shuiwu')).toBe(false)
  })
})
