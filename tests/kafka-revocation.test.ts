import { describe, expect, it } from 'vitest'
import { simulate } from './support/embedded.js'
import { handledIn, kafkaWorldWithStore, waitUntil } from './support/kafka.js'

const END = Date.parse('2026-11-23T08:30:00+08:00')
const messages = simulate(END - 10 * 60_000, END, { seed: 47, badShare: 0.02 })
const kafka = kafkaWorldWithStore()

const handled = () => handledIn(kafka.store.db)
/** A worker that would not commit on its own for a minute. */
const startWorker = (name: string) => kafka.world.startWorker(name, { db: kafka.store.db, now: () => END, flushIntervalMs: 60_000 })

describe('a rebalance', () => {
  it('commits what a worker holds before its partitions may be revoked, instead of dropping it', async () => {
    await kafka.world.send(messages)
    await startWorker('w1')
    // w1 has folded every message and commits nothing for a minute…
    await new Promise((r) => setTimeout(r, 5000))
    expect(await handled()).toBe(0)
    // …until a second worker joins and the group rebalances.
    await startWorker('w2')
    await waitUntil(async () => (await handled()) >= messages.length, 20_000)

    expect(await handled()).toBe(messages.length)
  })
})
