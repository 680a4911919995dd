import { describe, expect, it } from 'vitest'
import { TOPICS } from '@city/metrics/wire'
import { createOracle } from './support/oracle.js'
import { city, simulate, tree } from './support/embedded.js'
import { cityDayTotals, handledIn, kafkaWorldWithStore, waitUntil } from './support/kafka.js'

const END = Date.parse('2026-11-23T08:30:00+08:00')
const messages = simulate(END - 40 * 60_000, END, { seed: 41, badShare: 0.02 })
const oracle = createOracle(messages, tree, city.devices)
const kafka = kafkaWorldWithStore()

const handled = () => handledIn(kafka.store.db)
const startWorker = (name: string) => kafka.world.startWorker(name, { db: kafka.store.db, now: () => END })

describe('Kafka ingestion through the test broker into PostgreSQL', () => {
  it('two workers in one group, a third joining and one leaving mid-stream: every message counted exactly once', async () => {
    const first = await startWorker('w1')
    await startWorker('w2')
    const half = Math.floor(messages.length / 2)
    await kafka.world.send(messages.slice(0, half))
    expect(await waitUntil(async () => (await handled()) > half / 3, 60_000), 'the first messages counted').toBe(true)
    await startWorker('w3')
    await kafka.world.send(messages.slice(half))
    expect(await waitUntil(async () => (await handled()) > half, 60_000), 'half of them counted').toBe(true)
    await first.stop()
    kafka.world.broker.dropConnections()
    await waitUntil(async () => (await handled()) >= messages.length, 120_000)
    await new Promise((r) => setTimeout(r, 1500))

    expect(await handled()).toBe(messages.length)
    const { stored, expected } = await cityDayTotals(kafka.store.db, oracle, END, ['traffic.flow', 'cases.reported'])
    expect(stored).toEqual(expected)
    const dead = [0, 1, 2].flatMap((p) => kafka.world.broker.records(TOPICS.deadletter, p))
    const reasons = new Map(dead.map((d) => [d.value?.toString(), d.headers.find((h) => h.key === 'reason')?.value?.toString()]))
    for (const m of messages.filter((x) => x.bad)) {
      expect(reasons.get(m.value), m.value.slice(0, 60)).toBe(m.bad)
    }
  })
})
