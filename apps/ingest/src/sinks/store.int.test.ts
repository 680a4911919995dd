import { afterEach, describe, expect, it } from 'vitest'
import { migrate, openPgliteDb, type Db } from '@city/platform'
import { Batch } from '../pipeline/batch.js'
import { tinyCity } from '../__fixtures__/tiny-city.js'
import { commitBatch, loadOffsets, OffsetConflictError } from './store.js'

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
