import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startKafkaConsumer, type KafkaIngest } from '@city/ingest'
import { TOPICS } from '@city/metrics/wire'
import { createKafka, createKafkaProducer, createMemoryPubSub, ensureTopics, type KafkaProducer } from '@city/platform'
import { startKafkaBroker, type KafkaTestBroker } from './kafka-broker/broker.js'
import { city, simulate, tree } from './support/embedded.js'
import { openTestStore, type TestStore } from './support/stores.js'

const END = Date.parse('2026-11-23T08:30:00+08:00')
const messages = simulate(END - 10 * 60_000, END, { seed: 47, badShare: 0.02 })
let broker: KafkaTestBroker
let store: TestStore
let producer: KafkaProducer
const workers: KafkaIngest[] = []

async function handled(): Promise<number> {
  const { rows } = await store.db.query<{ n: number | null }>('select sum(count)::int as n from quality')
  return rows[0]!.n ?? 0
}

async function waitUntil(condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs
  while (!(await condition()) && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 200))
  }
}

/** A worker that would not commit on its own for a minute. */
async function startWorker(name: string): Promise<void> {
  workers.push(await startKafkaConsumer({
    db: store.db, kafka: createKafka({ brokers: broker.brokers, clientId: name }), deadLetters: producer, pubsub: createMemoryPubSub(),
    tree, devices: city.devices, now: () => END, flushIntervalMs: 60_000,
  }))
}

beforeAll(async () => {
  broker = await startKafkaBroker({ port: 0 })
  store = await openTestStore('postgres')
  const kafka = createKafka({ brokers: broker.brokers, clientId: 'test-producer' })
  await ensureTopics(kafka, [TOPICS.traffic, TOPICS.environment, TOPICS.events, TOPICS.deadletter], 3)
  producer = await createKafkaProducer(kafka)
})

afterAll(async () => {
  for (const w of workers) {
    await w.stop().catch(() => undefined)
  }
  await producer?.close()
  await store?.drop()
  await broker?.stop()
})

describe('a rebalance', () => {
  it('commits what a worker holds before its partitions may be revoked, instead of dropping it', async () => {
    await producer.send(messages.map((m) => ({ topic: m.topic, key: m.key, value: m.value })))
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
