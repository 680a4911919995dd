import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startKafkaConsumer, type KafkaIngest } from '@city/ingest'
import { TOPICS } from '@city/metrics/wire'
import { createKafka, createKafkaProducer, createMemoryPubSub, ensureTopics, type KafkaProducer } from '@city/platform'
import { startKafkaBroker, type KafkaTestBroker } from './kafka-broker/broker.js'
import { city, simulate, tree } from './support/embedded.js'
import { openTestStore, type TestStore } from './support/stores.js'

const END = Date.parse('2026-11-23T08:30:00+08:00')
const messages = simulate(END - 10 * 60_000, END, { seed: 43, badShare: 0.02 })
let broker: KafkaTestBroker
let store: TestStore
let producer: KafkaProducer
let worker: KafkaIngest | undefined
const errors: string[] = []

async function handled(): Promise<number> {
  const { rows } = await store.db.query<{ n: number | null }>('select sum(count)::int as n from quality')
  return rows[0]!.n ?? 0
}

beforeAll(async () => {
  broker = await startKafkaBroker({ port: 0 })
  store = await openTestStore('postgres')
  const kafka = createKafka({ brokers: broker.brokers, clientId: 'test-producer' })
  await ensureTopics(kafka, [TOPICS.traffic, TOPICS.environment, TOPICS.events, TOPICS.deadletter], 3)
  producer = await createKafkaProducer(kafka)
})

afterAll(async () => {
  await worker?.stop().catch(() => undefined)
  await producer?.close()
  await store?.drop()
  await broker?.stop()
})

describe('a commit that fails', () => {
  it('before any offset is stored loses nothing: the worker reads its partitions again from the beginning', async () => {
    // The database refuses the first commit (a sequence, because it does not roll back with the failure).
    await store.db.exec(`
      create sequence commit_attempts;
      create function refuse_first_commit() returns trigger language plpgsql as $$
      begin
        if nextval('commit_attempts') = 1 then raise exception 'injected: the first commit fails'; end if;
        return new;
      end $$;
      create trigger refuse_first_commit before insert on stream_offsets for each statement execute function refuse_first_commit();`)
    await producer.send(messages.map((m) => ({ topic: m.topic, key: m.key, value: m.value })))
    worker = await startKafkaConsumer({
      db: store.db, kafka: createKafka({ brokers: broker.brokers, clientId: 'w1' }), deadLetters: producer, pubsub: createMemoryPubSub(),
      tree, devices: city.devices, now: () => END, flushIntervalMs: 300, onError: (error) => errors.push((error as Error).message),
    })
    const until = Date.now() + 60_000
    while ((await handled()) < messages.length && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 200))
    }
    await new Promise((r) => setTimeout(r, 1000))

    expect(errors.some((e) => e.includes('injected'))).toBe(true)
    expect(await handled()).toBe(messages.length)
    const { rows } = await store.db.query<{ n: number }>('select count(*)::int as n from seen_messages')
    expect(rows[0]!.n).toBe(new Set(messages.filter((m) => !m.bad).map((m) => JSON.parse(m.value).id)).size)
  })
})
