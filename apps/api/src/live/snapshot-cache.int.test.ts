import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadDemoCity } from '@city/demo-city'
import { loadRegionTree, localDayStart, minuteStart, MINUTE_MS } from '@city/metrics'
import { COMMIT_CHANNEL, createMemoryPubSub, migrate, openPgliteDb, type CommitNotice, type Db, type Queryable } from '@city/platform'
import { loadSnapshot } from '../queries/snapshot.js'
import { createSnapshotCache, type SnapshotCache } from './snapshot-cache.js'

const tree = loadRegionTree(loadDemoCity().regions)
const district = tree.root.children[0]!
const street = tree.get(district)!.children[0]!
const ROOMS = [tree.root.id, district, street]
const REGIONS = [...new Set(ROOMS.flatMap((room) => [room, ...tree.get(room)!.children]))]
const LEAVES = tree.get(street)!.children
const TZ = 'Asia/Shanghai'
const STALE_AFTER_MS = 180_000
const METRICS = ['traffic.flow', 'traffic.speed', 'traffic.tti', 'traffic.speed_p15', 'traffic.parking_occupancy', 'env.pm25', 'env.o3', 'env.noise', 'cases.reported', 'cases.closed']

let db: Db
let nowMs = Date.parse('2026-11-23T06:30:20Z')
const pubsub = createMemoryPubSub()
let version = 0
/** agg_1m rows read by the cache (not by the fresh computations it is compared with). */
let minuteRowsRead = 0
let cache: SnapshotCache

// A fixed-seed generator, so a failure reproduces.
let seed = 42
const random = () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31
  return seed / 2 ** 31
}
const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!

/** A row inserted through the view, which merges it into its cell like the ingest's commit (sums add up, maps merge with merge_partial_x). */
async function upsert(table: 'agg_1m' | 'agg_1d', region: string, metric: string, bucketMs: number): Promise<void> {
  const value = Math.round(random() * 1e6) / 7
  const x = metric === 'traffic.speed_p15'
    ? { hist: { [String(Math.floor(random() * 40))]: 1 } }
    : metric === 'traffic.parking_occupancy' ? { last: { [`p${Math.floor(random() * 5)}`]: [bucketMs + Math.floor(random() * 60_000), Math.floor(random() * 90), 100] } } : null
  await db.query(
    `insert into ${table} (region, metric, bucket, n, sum, w, min, max, x) values ($1, $2, to_timestamp($3 / 1000.0), 1, $4, $5, $4, $4, $6::jsonb)`,
    [region, metric, bucketMs, value, random() * 3, x ? JSON.stringify(x) : null],
  )
}

/** One commit: some minute partials (now and then late, or ahead of the clock), today's, a work order, freshness; then its notice. */
async function commit(): Promise<void> {
  version++
  const buckets: number[] = []
  const rows = Math.floor(random() * 12)
  for (let i = 0; i < rows; i++) {
    const roll = random()
    // Mostly the current minute; sometimes a late minute inside (or beyond) the trend's two hours, or one ahead.
    const back = roll < 0.7 ? 0 : roll < 0.9 ? Math.floor(random() * 130) : -Math.floor(random() * 3)
    const bucketMs = minuteStart(nowMs) - back * MINUTE_MS
    buckets.push(bucketMs)
    const region = pick(REGIONS)
    const metric = pick(METRICS)
    await upsert('agg_1m', region, metric, bucketMs)
    await upsert('agg_1d', region, metric, localDayStart(bucketMs, TZ))
  }
  if (random() < 0.3) {
    const leaf = pick(LEAVES)
    const stage = pick(['reported', 'dispatched', 'closed'])
    await db.query(
      `insert into cases (id, region, lineage, category, channel, severity, title, dept, stage, stage_at, reported_at, deadline, state)
       values ($1, $2, $3, 'road', 'hotline', 2, 'pothole', null, $4, to_timestamp($5 / 1000.0), to_timestamp($5 / 1000.0), to_timestamp($6 / 1000.0), '{}')
       on conflict (id) do update set stage = excluded.stage, stage_at = excluded.stage_at`,
      [`case-${Math.floor(random() * 30)}`, leaf, tree.get(leaf)!.lineage, stage, nowMs - random() * 3_600_000, nowMs + (random() - 0.7) * 3_600_000],
    )
  }
  const changed = [...new Set([pick(REGIONS), pick(REGIONS)])]
  await db.query(
    `insert into region_state (region, version, event_time, committed_at) select r, $2, to_timestamp($3 / 1000.0), now() from unnest($1::text[]) r
     on conflict (region) do update set version = excluded.version, event_time = excluded.event_time, committed_at = excluded.committed_at`,
    [changed, version, nowMs - random() * 400_000],
  )
  const notice: CommitNotice = { version, committedAt: new Date().toISOString(), regions: changed, minuteFromMs: buckets.length > 0 ? Math.min(...buckets) : null }
  await pubsub.publish(COMMIT_CHANNEL, notice)
}

async function expectEqualToFresh(): Promise<void> {
  const cached = await cache.compute(ROOMS)
  const options = { nowMs, timeZone: TZ, staleAfterMs: STALE_AFTER_MS }
  const fresh = await Promise.all(ROOMS.map((room) => loadSnapshot(db, tree, room, options)))
  expect(cached).toEqual(fresh)
}

beforeAll(async () => {
  db = await openPgliteDb('memory://')
  await migrate(db)
  const counting: Queryable = {
    exec: (sql) => db.exec(sql),
    async query<T>(sql: string, params?: readonly unknown[]) {
      const result = await db.query<T>(sql, params)
      if (sql.includes('from agg_1m')) {
        minuteRowsRead += result.rows.length
      }
      return result
    },
  }
  cache = createSnapshotCache({ db: counting, tree, notices: pubsub, timeZone: TZ, staleAfterMs: STALE_AFTER_MS, now: () => nowMs })
  for (let i = 0; i < 60; i++) {
    nowMs -= MINUTE_MS
    await commit()
  }
  nowMs += 60 * MINUTE_MS
})

afterAll(async () => {
  cache.stop()
  await db.close()
})

describe('createSnapshotCache', () => {
  it('computes exactly what loadSnapshot computes, commit after commit, as late data comes and the minutes go by', async () => {
    await expectEqualToFresh()
    for (let step = 0; step < 80; step++) {
      const commits = Math.floor(random() * 3)
      for (let i = 0; i < commits; i++) {
        await commit()
      }
      if (random() < 0.3) {
        nowMs += Math.floor(random() * 90_000)
      }
      await expectEqualToFresh()
    }
  })

  it('re-reads only the minutes a commit changed', async () => {
    await cache.compute(ROOMS)
    minuteRowsRead = 0
    await upsert('agg_1m', street, 'traffic.flow', minuteStart(nowMs))
    await pubsub.publish(COMMIT_CHANNEL, { version: ++version, committedAt: new Date().toISOString(), regions: [street], minuteFromMs: minuteStart(nowMs) })
    await expectEqualToFresh()
    // The current minute of each region and metric at most, not the windows.
    expect(minuteRowsRead).toBeGreaterThan(0)
    expect(minuteRowsRead).toBeLessThanOrEqual(REGIONS.length * METRICS.length)
  })

  it('reads everything again after a notice that does not say which minutes changed, or when told to', async () => {
    await upsert('agg_1m', street, 'env.pm25', minuteStart(nowMs) - 50 * MINUTE_MS)
    await pubsub.publish(COMMIT_CHANNEL, { version: ++version, committedAt: new Date().toISOString(), regions: [street] })
    await expectEqualToFresh()
    await upsert('agg_1m', district, 'env.pm25', minuteStart(nowMs) - 40 * MINUTE_MS)
    cache.invalidate()
    await expectEqualToFresh()
  })
})
