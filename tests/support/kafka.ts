import { afterAll, beforeAll } from 'vitest'
import type { SimMessage } from '@city/demo-city'
import { startKafkaConsumer, type KafkaConsumerOptions, type KafkaIngest } from '@city/ingest'
import { TOPICS } from '@city/metrics/wire'
import { createKafka, createKafkaProducer, createMemoryPubSub, ensureTopics, type Db, type KafkaProducer } from '@city/platform'
import { startKafkaBroker, type KafkaTestBroker } from '../kafka-broker/broker.js'
import { localDayStart } from '@city/metrics'
import { city, tree } from './embedded.js'
import type { createOracle } from './oracle.js'
import { openTestStore, type TestStore } from './stores.js'

/** Every message a store has counted, whatever became of it: accepted, duplicate or rejected. */
export async function handledIn(db: Db): Promise<number> {
  const { rows } = await db.query<{ n: number | null }>('select sum(count)::int as n from quality')
  return rows[0]!.n ?? 0
}

/**
 * The city's totals of today (the local day of endMs) for these metrics, as stored (agg_1d) and as the
 * oracle computes them from the raw stream, for one comparison.
 */
export async function cityDayTotals(db: Db, oracle: ReturnType<typeof createOracle>, endMs: number, metrics: readonly string[]) {
  const dayMs = localDayStart(endMs, 'Asia/Shanghai')
  const stored: Record<string, number> = {}
  const expected: Record<string, number | null> = {}
  for (const metric of metrics) {
    const { rows } = await db.query<{ s: number }>(`select sum(sum)::float8 as s from agg_1d where region = $1 and metric = $2`, [tree.root.id, metric])
    stored[metric] = Number(rows[0]!.s)
    expected[metric] = oracle.value(metric, tree.root.id, dayMs, endMs + 1)
  }
  return { stored, expected }
}

/** Polls until the condition holds or the time is up; says which. */
export async function waitUntil(condition: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > until) {
      return false
    }
    await new Promise((r) => setTimeout(r, 200))
  }
  return true
}

export interface KafkaWorld {
  broker: KafkaTestBroker
  producer: KafkaProducer
  /** Sends messages to their topic, under `prefix` instead of `city.` if given. */
  send(messages: readonly SimMessage[], prefix?: string): Promise<void>
  /** An in-process Kafka worker of the demo city; stopped with the world. */
  startWorker(name: string, options: Pick<KafkaConsumerOptions, 'db' | 'now'> & Partial<KafkaConsumerOptions>): Promise<KafkaIngest>
  /** Stops the workers in the order they started, then the producer and the broker. */
  stop(): Promise<void>
}

/**
 * The test broker with the source topics (under each prefix) and the dead-letter topic, a producer, and
 * workers that write into whatever store a test gives them.
 */
export async function startKafkaWorld({ prefixes = ['city.'], partitions = 3 } = {}): Promise<KafkaWorld> {
  const broker = await startKafkaBroker({ port: 0 })
  const kafka = createKafka({ brokers: broker.brokers, clientId: 'test-producer' })
  const sources = [TOPICS.traffic, TOPICS.environment, TOPICS.events]
  await ensureTopics(kafka, [...prefixes.flatMap((p) => sources.map((t) => t.replace('city.', p))), TOPICS.deadletter], partitions)
  const producer = await createKafkaProducer(kafka)
  const workers: KafkaIngest[] = []
  return {
    broker,
    producer,
    // Event time as the record's timestamp, as the simulator publishes: workers read partitions in step by it.
    send: (messages, prefix = 'city.') => producer.send(messages.map((m) => ({ topic: m.topic.replace('city.', prefix), key: m.key, value: m.value, timestamp: m.atMs }))),
    async startWorker(name, options) {
      const worker = await startKafkaConsumer({
        kafka: createKafka({ brokers: broker.brokers, clientId: name }), deadLetters: producer, pubsub: createMemoryPubSub(),
        tree, devices: city.devices, flushIntervalMs: 300, ...options,
      })
      workers.push(worker)
      return worker
    },
    async stop() {
      for (const w of workers) {
        await w.stop().catch(() => undefined)
      }
      await producer.close()
      await broker.stop()
    },
  }
}

/**
 * For the tests of one file: a Kafka world (see startKafkaWorld) and a fresh PostgreSQL store, started
 * before them and stopped after (after the file's own afterAll hooks, which run first). The fields are
 * set once the tests run.
 */
export function kafkaWorldWithStore(options?: Parameters<typeof startKafkaWorld>[0]): { readonly world: KafkaWorld, readonly store: TestStore } {
  const started = {} as { world: KafkaWorld, store: TestStore }
  beforeAll(async () => {
    started.world = await startKafkaWorld(options)
    started.store = await openTestStore('postgres')
  })
  afterAll(async () => {
    await started.world?.stop()
    await started.store?.drop()
  })
  return started
}
