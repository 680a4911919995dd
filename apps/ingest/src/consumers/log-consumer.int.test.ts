import { afterEach, describe, expect, it } from 'vitest'
import { TOPICS } from '@city/metrics/wire'
import { createMemoryPubSub, MemoryLog, migrate, openPgliteDb, type Db } from '@city/platform'
import { makeCase, makeSegment, tinyCity, tinyDevices } from '../__fixtures__/tiny-city.js'
import { startLogConsumer, type LogConsumer } from './log-consumer.js'

const T0 = Date.parse('2026-11-23T02:00:00Z') // 10:00 in Asia/Shanghai
const tree = tinyCity()
let db: Db
let consumers: LogConsumer[] = []

async function start(log: MemoryLog, database: Db = db, nowMs = T0 + 3_600_000) {
  const consumer = await startLogConsumer({ db: database, log, pubsub: createMemoryPubSub(), tree, devices: tinyDevices, now: () => nowMs, flushIntervalMs: 50 })
  consumers.push(consumer)
  return consumer
}

async function sum(table: string, region: string, metric: string): Promise<number> {
  const { rows } = await db.query<{ s: number | null }>(`select sum(sum)::float8 as s from ${table} where region = $1 and metric = $2`, [region, metric])
  return Number(rows[0]?.s ?? 0)
}

afterEach(async () => {
  for (const c of consumers) {
    await c.stop().catch(() => undefined)
  }
  consumers = []
  await db?.close()
})

describe('log consumer on PGlite', () => {
  it('rolls readings up to every ancestor at 1m, 1h and 1d, and dead-letters bad messages with a reason', async () => {
    db = await openPgliteDb('memory://')
    await migrate(db)
    const log = new MemoryLog()
    const consumer = await start(log)
    log.append({ topic: TOPICS.traffic, key: 'seg-1', value: makeSegment(T0, { flow: 7 }) })
    log.append({ topic: TOPICS.traffic, key: 'seg-2', value: makeSegment(T0 + 61_000, { device: 'seg-2', flow: 5 }) })
    log.append({ topic: TOPICS.traffic, key: 'x', value: '{"v":1,' })
    log.append({ topic: TOPICS.traffic, key: 'seg-9', value: makeSegment(T0, { device: 'seg-9' }) })
    await consumer.drain()

    for (const table of ['agg_1m', 'agg_1h', 'agg_1d']) {
      expect(await sum(table, 'c', 'traffic.flow')).toBe(12)
      expect(await sum(table, 'd1', 'traffic.flow')).toBe(7)
      expect(await sum(table, 'k3', 'traffic.flow')).toBe(5)
    }
    const { rows: quality } = await db.query<{ reason: string, count: number }>('select reason, count::int as count from quality order by reason')
    expect(quality).toEqual([{ reason: 'accepted', count: 2 }, { reason: 'invalid_json', count: 1 }, { reason: 'unknown_device', count: 1 }])
    const dead = [0, 1, 2].flatMap((p) => log.read(TOPICS.deadletter, p, 0, 100))
    expect(dead.map((d) => d.headers?.reason).sort()).toEqual(['invalid_json', 'unknown_device'])
    expect(dead.find((d) => d.headers?.reason === 'invalid_json')?.value).toBe('{"v":1,')
  })

  it('resumes from stored offsets after a restart without counting anything twice', async () => {
    db = await openPgliteDb('memory://')
    await migrate(db)
    const log = new MemoryLog()
    const first = await start(log)
    for (let i = 0; i < 50; i++) {
      log.append({ topic: TOPICS.traffic, key: 'seg-1', value: makeSegment(T0 + i * 1000, { flow: 1 }) })
    }
    await first.drain()
    await first.stop()
    consumers = []
    for (let i = 50; i < 80; i++) {
      log.append({ topic: TOPICS.traffic, key: 'seg-1', value: makeSegment(T0 + i * 1000, { flow: 1 }) })
    }
    const second = await start(log)
    await second.drain()
    expect(await sum('agg_1d', 'c', 'traffic.flow')).toBe(80)
  })

  it('rewinds to the stored offsets when a commit fails, losing and doubling nothing', async () => {
    db = await openPgliteDb('memory://')
    await migrate(db)
    // The first commit fails before it reaches the database, the second after it committed (the reply
    // was lost): either way the consumer rewinds to what the database holds.
    const failures = ['before', 'after']
    const flaky: Db = {
      ...db,
      query: (async (sql: string, params?: readonly unknown[]) => {
        const failure = sql.includes('commit_batch') ? failures.shift() : undefined
        if (failure === 'before') {
          throw new Error('connection reset (injected)')
        }
        const result = await db.query(sql, params)
        if (failure === 'after') {
          throw new Error('connection reset after the commit (injected)')
        }
        return result
      }) as Db['query'],
    }
    const log = new MemoryLog()
    const consumer = await start(log, flaky)
    for (let i = 0; i < 20; i++) {
      log.append({ topic: TOPICS.traffic, key: 'seg-1', value: makeSegment(T0 + i * 1000, { flow: 2 }) })
    }
    await consumer.drain()
    expect(failures).toEqual([])
    expect(await sum('agg_1m', 'c', 'traffic.flow')).toBe(40)
  })

  it('counts a case once whatever order its events arrive in, and retracts a reopened closure', async () => {
    db = await openPgliteDb('memory://')
    await migrate(db)
    const log = new MemoryLog()
    const consumer = await start(log)
    const deadline = new Date(T0 + 2 * 3_600_000).toISOString()
    log.append({ topic: TOPICS.events, key: 'A', value: makeCase(T0 + 600_000, { case: 'A', stage: 'closed' }) })
    log.append({ topic: TOPICS.events, key: 'A', value: makeCase(T0, { case: 'A', stage: 'reported' }) })
    log.append({ topic: TOPICS.events, key: 'A', value: makeCase(T0 + 60_000, { case: 'A', stage: 'registered', deadline }) })
    log.append({ topic: TOPICS.events, key: 'B', value: makeCase(T0, { case: 'B', stage: 'reported', region: 'k3' }) })
    log.append({ topic: TOPICS.events, key: 'B', value: makeCase(T0 + 120_000, { case: 'B', stage: 'closed', region: 'k3' }) })
    await consumer.drain()
    expect(await sum('agg_1d', 'c', 'cases.reported')).toBe(2)
    expect(await sum('agg_1d', 'c', 'cases.closed')).toBe(2)
    expect(await sum('agg_1d', 'c', 'cases.closed_on_time')).toBe(2)

    log.append({ topic: TOPICS.events, key: 'B', value: makeCase(T0 + 180_000, { case: 'B', stage: 'reopened', region: 'k3' }) })
    await consumer.drain()
    expect(await sum('agg_1d', 'c', 'cases.reported')).toBe(2)
    expect(await sum('agg_1d', 'c', 'cases.closed')).toBe(1)
    expect(await sum('agg_1d', 'd2', 'cases.closed')).toBe(0)
    const { rows } = await db.query<{ id: string, stage: string }>('select id, stage from cases order by id')
    expect(rows).toEqual([{ id: 'A', stage: 'closed' }, { id: 'B', stage: 'reopened' }])
  })
})

describe('exactly once under redelivery and late data', () => {
  const quality = async () => Object.fromEntries((await db.query<{ reason: string, count: number }>(
    'select reason, sum(count)::int as count from quality group by reason')).rows.map((r) => [r.reason, r.count]))

  it('counts a redelivered message id once, also after a restart, while its copy is within the window', async () => {
    db = await openPgliteDb('memory://')
    await migrate(db)
    const log = new MemoryLog()
    const first = await start(log)
    log.append({ topic: TOPICS.traffic, key: 'seg-1', value: makeSegment(T0, { id: 'm-1', flow: 5 }) })
    log.append({ topic: TOPICS.traffic, key: 'seg-1', value: makeSegment(T0, { id: 'm-1', flow: 5 }) })
    await first.drain()
    await first.stop()
    consumers = []
    const second = await start(log)
    log.append({ topic: TOPICS.traffic, key: 'seg-1', value: makeSegment(T0, { id: 'm-1', flow: 5 }) })
    log.append({ topic: TOPICS.traffic, key: 'seg-1', value: makeSegment(T0 + 1000, { id: 'm-2', flow: 1 }) })
    await second.drain()
    expect(await sum('agg_1m', 'c', 'traffic.flow')).toBe(6)
    expect(await quality()).toEqual({ accepted: 2, duplicate: 2 })
  })

  it('forgets ids older than the window behind the watermark, so the table stays bounded', async () => {
    db = await openPgliteDb('memory://')
    await migrate(db)
    const log = new MemoryLog()
    const consumer = await start(log, db, T0 + 3 * 3_600_000)
    log.append({ topic: TOPICS.traffic, key: 'seg-1', value: makeSegment(T0, { id: 'old' }) })
    await consumer.drain()
    log.append({ topic: TOPICS.traffic, key: 'seg-1', value: makeSegment(T0 + 2 * 3_600_000 - 1, { id: 'new' }) })
    await consumer.drain()
    const { rows } = await db.query<{ id: string }>('select id from seen_messages order by id')
    expect(rows.map((r) => r.id)).toEqual(['new'])
  })

  it('corrects history with late data within the allowed lateness and dead-letters older data as too_late', async () => {
    db = await openPgliteDb('memory://')
    await migrate(db)
    const log = new MemoryLog()
    const consumer = await start(log, db, T0 + 30 * 3_600_000)
    log.append({ topic: TOPICS.traffic, key: 'seg-1', value: makeSegment(T0 + 26 * 3_600_000, { flow: 1 }) })
    await consumer.drain()
    log.append({ topic: TOPICS.traffic, key: 'seg-1', value: makeSegment(T0 + 3 * 3_600_000, { flow: 10 }) })
    log.append({ topic: TOPICS.traffic, key: 'seg-1', value: makeSegment(T0 + 1 * 3_600_000, { flow: 100 }) })
    await consumer.drain()
    const late = await db.query<{ s: number }>(`select sum::float8 as s from agg_1h where region = 'c' and metric = 'traffic.flow' and bucket = to_timestamp($1 / 1000.0)`, [T0 + 3 * 3_600_000])
    expect(late.rows[0]?.s).toBe(10)
    expect(await sum('agg_1m', 'c', 'traffic.flow')).toBe(11)
    expect((await quality()).too_late).toBe(1)
  })
})
