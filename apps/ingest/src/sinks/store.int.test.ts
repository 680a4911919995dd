import { afterEach, describe, expect, it } from 'vitest'
import { migrate, openPgliteDb, type Db } from '@city/platform'
import { mergeInto, type LatestEntry, type Partial } from '@city/metrics'
import { Batch } from '../pipeline/batch.js'
import { createPipeline } from '../pipeline/pipeline.js'
import { makeCase, makeSegment, tinyCity, tinyDevices } from '../__fixtures__/tiny-city.js'
import { commitBatch, loadCaseStates, loadOffsets, loadSeenIds, OffsetConflictError } from './store.js'

const tree = tinyCity()
let db: Db

afterEach(async () => {
  await db?.close()
})

function batchUpTo(nextOffset: number): Batch {
  const batch = new Batch()
  batch.advance('city.traffic', 0, nextOffset - 1)
  batch.partial('k1', 'traffic.flow', 0).sum = 1
  batch.partial('k1', 'traffic.flow', 0).n = 1
  return batch
}

describe('commitBatch offsets', () => {
  it('moves offsets only from where the consumer read them, rejecting a racing or stale consumer whole', async () => {
    db = await openPgliteDb('memory://')
    await migrate(db)
    const options = { consumer: 'g', stream: 'g', tree, timeZone: 'Asia/Shanghai' }
    await commitBatch(db, batchUpTo(10), { ...options, readFrom: new Map() })
    // A second consumer that also believed nothing was stored loses.
    await expect(commitBatch(db, batchUpTo(12), { ...options, readFrom: new Map() })).rejects.toThrow(OffsetConflictError)
    await commitBatch(db, batchUpTo(20), { ...options, readFrom: new Map([['city.traffic|0', 10]]) })
    // A consumer still reading from 10 (it lost the partition meanwhile) loses, and none of its data lands.
    await expect(commitBatch(db, batchUpTo(25), { ...options, readFrom: new Map([['city.traffic|0', 10]]) })).rejects.toThrow(OffsetConflictError)
    expect(await loadOffsets(db, 'g')).toEqual([{ topic: 'city.traffic', partition: 0, nextOffset: 20 }])
    const { rows } = await db.query<{ s: number }>(`select sum(sum)::float8 as s from agg_1m where region = 'c'`)
    expect(rows[0]!.s).toBe(2)
  })
})

describe('text the store cannot hold', () => {
  it('is a dead letter (schema), and the rest of its batch commits', async () => {
    db = await openPgliteDb('memory://')
    await migrate(db)
    const t = Date.parse('2026-03-01T12:00:00Z')
    const pipeline = createPipeline({ tree, devices: tinyDevices, now: () => t + 60_000, loadCases: (ids) => loadCaseStates(db, ids), loadSeen: (ids) => loadSeenIds(db, ids) })
    const values = [
      makeSegment(t, { id: 'ok-1' }),
      makeSegment(t, { id: 'nul-\u0000' }),
      makeSegment(t, { id: 'lone-\ud800' }),
      makeCase(t, { case: 'c-1', stage: 'reported', category: 'garbage\u0000' }),
      makeCase(t, { case: 'c-2', stage: 'reported' }),
    ]
    await pipeline.handle(values.slice(0, 3).map((value, offset) => ({ topic: 'city.traffic', partition: 0, offset, key: null, value })))
    await pipeline.handle([{ topic: 'city.events', partition: 0, offset: 0, key: null, value: values[4]! }, { topic: 'city.events', partition: 0, offset: 1, key: null, value: values[3]! }])
    const batch = pipeline.takeBatch()
    await commitBatch(db, batch, { consumer: 'g', stream: 'g', tree, timeZone: 'Asia/Shanghai', readFrom: new Map() })
    expect(batch.deadLetters.filter((d) => d.headers?.reason === 'schema').map((d) => d.headers?.detail)).toEqual([
      'id holds U+0000 or an unpaired surrogate, which no text column can store',
      'id holds U+0000 or an unpaired surrogate, which no text column can store',
      'category holds U+0000 or an unpaired surrogate, which no text column can store',
    ])
    const { rows } = await db.query<{ id: string }>('select id from seen_messages order by id')
    expect(rows.map((r) => r.id)).toEqual(['c-2:reported:' + t, 'ok-1'])
  })
})

describe('merge_partial_x', () => {
  let seed = 11
  const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31
  const small = () => Math.floor(random() * 3)
  /** Random extras with few distinct keys and values, so keys overlap and reports tie. */
  function extras(): Pick<Partial, 'hist' | 'last'> {
    const x: Pick<Partial, 'hist' | 'last'> = {}
    if (random() < 0.7) {
      x.hist = Object.fromEntries(Array.from({ length: small() * 3 }, () => [String(Math.floor(random() * 8) - 2), 1 + small()]))
    }
    if (random() < 0.7) {
      x.last = Object.fromEntries(Array.from({ length: small() * 4 }, (): [string, LatestEntry] => [`p${Math.floor(random() * 6)}`, [1_000 + small(), small(), small()]]))
    }
    return x
  }
  const partial = (x: Pick<Partial, 'hist' | 'last'>): Partial => ({ n: 0, sum: 0, w: 0, min: Infinity, max: -Infinity, ...structuredClone(x) })

  it('merges histograms and latest reports in the database exactly as the ingest does in memory', async () => {
    db = await openPgliteDb('memory://')
    await migrate(db)
    for (let i = 0; i < 300; i++) {
      const [a, b] = [extras(), extras()]
      const { rows } = await db.query<{ x: Pick<Partial, 'hist' | 'last'> | null }>('select merge_partial_x($1::jsonb, $2::jsonb) as x', [JSON.stringify(a), JSON.stringify(b)])
      const { hist, last } = mergeInto(partial(a), partial(b))
      expect(rows[0]!.x).toEqual({ ...(hist ? { hist } : {}), ...(last ? { last } : {}) })
    }
  })

  it('merges a latest report per device of thousands of devices in one pass', async () => {
    db = await openPgliteDb('memory://')
    await migrate(db)
    const lots = (n: number, ts: number) => ({ last: Object.fromEntries(Array.from({ length: n }, (_, i) => [`lot-${i}`, [ts + (i % 2), i, 100]])) })
    const { rows } = await db.query<{ n: number, newer: number }>(
      `select count(*)::int as n, count(*) filter (where (v ->> 0)::int8 = 2001)::int as newer
       from jsonb_each(merge_partial_x($1::jsonb, $2::jsonb) -> 'last') as e (k, v)`,
      [JSON.stringify(lots(20_000, 2_000)), JSON.stringify(lots(10_000, 2_000))],
    )
    expect(rows[0]).toEqual({ n: 20_000, newer: 10_000 })
  })
})
