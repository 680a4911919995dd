import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startKafkaConsumer, type KafkaIngest } from '@city/ingest'
import { localDayStart } from '@city/metrics'
import { TOPICS } from '@city/metrics/wire'
import { createKafka, createKafkaProducer, createMemoryPubSub, ensureTopics, type KafkaProducer } from '@city/platform'
import { startKafkaBroker, type KafkaTestBroker } from './kafka-broker/broker.js'
import { createOracle } from './support/oracle.js'
import { city, simulate, tree } from './support/embedded.js'
import { openTestStore, type TestStore } from './support/stores.js'

const END = Date.parse('2026-11-23T08:30:00+08:00')
const messages = simulate(END - 40 * 60_000, END, { seed: 41, badShare: 0.02 })
const oracle = createOracle(messages, tree, city.devices)
let broker: KafkaTestBroker
let store: TestStore
let producer: KafkaProducer
const workers: KafkaIngest[] = []

async function handled(): Promise<number> {
  const { rows } = await store.db.query<{ n: number | null }>('select sum(count)::int as n from quality')
  return rows[0]!.n ?? 0
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > until) {
      throw new Error('timed out')
    }
    await new Promise((r) => setTimeout(r, 200))
  }
}

function startWorker(name: string): Promise<KafkaIngest> {
  return startKafkaConsumer({
    db: store.db, kafka: createKafka({ brokers: broker.brokers, clientId: name }), deadLetters: producer, pubsub: createMemoryPubSub(),
    tree, devices: city.devices, now: () => END, flushIntervalMs: 300,
  })
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

describe('Kafka ingestion through the test broker into PostgreSQL', () => {
  it('two workers in one group, a third joining and one leaving mid-stream: every message counted exactly once', async () => {
    workers.push(await startWorker('w1'), await startWorker('w2'))
    const half = Math.floor(messages.length / 2)
    await producer.send(messages.slice(0, half).map((m) => ({ topic: m.topic, key: m.key, value: m.value })))
    await waitFor(async () => (await handled()) > half / 3, 60_000)
    workers.push(await startWorker('w3'))
    await producer.send(messages.slice(half).map((m) => ({ topic: m.topic, key: m.key, value: m.value })))
    await waitFor(async () => (await handled()) > half, 60_000)
    await workers.shift()!.stop()
    broker.dropConnections()
    await waitFor(async () => (await handled()) >= messages.length, 120_000)
    await new Promise((r) => setTimeout(r, 1500))

    expect(await handled()).toBe(messages.length)
    const dayMs = localDayStart(END, 'Asia/Shanghai')
    for (const metric of ['traffic.flow', 'cases.reported']) {
      const { rows } = await store.db.query<{ s: number }>(`select sum(sum)::float8 as s from agg_1d where region = $1 and metric = $2`, [tree.root.id, metric])
      expect(Number(rows[0]!.s), metric).toBe(oracle.value(metric, tree.root.id, dayMs, END + 1))
    }
    const dead = [0, 1, 2].flatMap((p) => broker.records(TOPICS.deadletter, p))
    const reasons = new Map(dead.map((d) => [d.value?.toString(), d.headers.find((h) => h.key === 'reason')?.value?.toString()]))
    for (const m of messages.filter((x) => x.bad)) {
      expect(reasons.get(m.value), m.value.slice(0, 60)).toBe(m.bad)
    }
  })
})
