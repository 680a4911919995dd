import { describe, expect, it } from 'vitest'
import type { Db } from '@city/platform'
import { createOracle } from './support/oracle.js'
import { city, simulate, tree } from './support/embedded.js'
import { cityDayTotals, handledIn, kafkaWorldWithStore, waitUntil } from './support/kafka.js'

const END = Date.parse('2026-11-23T09:30:00+08:00')
const messages = simulate(END - 20 * 60_000, END, { seed: 43, badShare: 0.02 })
const oracle = createOracle(messages, tree, city.devices)
const kafka = kafkaWorldWithStore()

/** The store, whose commits fail while `down` is set (as when the database goes away). */
function flaky(db: Db): { db: Db, down: boolean } {
  const out = { db, down: false }
  const query = ((sql: string, params?: readonly unknown[]) =>
    out.down && sql.includes('commit_batch') ? Promise.reject(new Error('the database went away')) : db.query(sql, params)) as Db['query']
  out.db = { ...db, query }
  return out
}

describe('a Kafka worker stopped while its commits fail', () => {
  it('leaves without an error, and the worker after it counts every message once', async () => {
    const store = flaky(kafka.store.db)
    const errors: unknown[] = []
    const first = await kafka.world.startWorker('w1', { db: store.db, now: () => END, onError: (e) => errors.push(e) })
    const half = Math.floor(messages.length / 2)
    await kafka.world.send(messages.slice(0, half))
    expect(await waitUntil(async () => (await handledIn(kafka.store.db)) > 0, 60_000), 'a first commit').toBe(true)
    store.down = true
    await kafka.world.send(messages.slice(half))
    expect(await waitUntil(async () => errors.length > 0, 30_000), 'a commit failed').toBe(true)
    await expect(first.stop()).resolves.toBeUndefined()

    await kafka.world.startWorker('w2', { db: kafka.store.db, now: () => END })
    await waitUntil(async () => (await handledIn(kafka.store.db)) >= messages.length, 60_000)
    await new Promise((r) => setTimeout(r, 1000))
    expect(await handledIn(kafka.store.db)).toBe(messages.length)
    const { stored, expected } = await cityDayTotals(kafka.store.db, oracle, END, ['traffic.flow', 'cases.reported'])
    expect(stored).toEqual(expected)
  })
})
