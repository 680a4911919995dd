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
const workers: KafkaIngest[] = []
const stores: TestStore[] = []

async function handled(db: TestStore['db']): Promise<number> {
  const { rows } = await db.query<{ n: number | null }>('select sum(count)::int as n from quality')
  return rows[0]!.n ?? 0
}

async function waitUntil(condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs
  while (!(await condition()) && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 200))
  }
}

/** One worker (a group of its own) on the topics under `prefix`, into `db`, recording its errors. */
async function startWorker(db: TestStore['db'], prefix: string, errors: string[]): Promise<void> {
  workers.push(await startKafkaConsumer({
    db, kafka: createKafka({ brokers: broker.brokers, clientId: `w-${prefix}` }), deadLetters: producer, pubsub: createMemoryPubSub(),
    tree, devices: city.devices, now: () => END, flushIntervalMs: 300, topicPrefix: prefix, groupId: `ingest-${prefix}`, onError: (error) => errors.push((error as Error).message),
  }))
}

const sendAll = (prefix: string) => producer.send(messages.map((m) => ({ topic: m.topic.replace('city.', prefix), key: m.key, value: m.value })))

beforeAll(async () => {
  broker = await startKafkaBroker({ port: 0 })
  store = await openTestStore('postgres')
  stores.push(store)
  const kafka = createKafka({ brokers: broker.brokers, clientId: 'test-producer' })
  const sources = [TOPICS.traffic, TOPICS.environment, TOPICS.events]
  await ensureTopics(kafka, [...sources, ...sources.map((t) => t.replace('city.', 'again.')), TOPICS.deadletter], 3)
  producer = await createKafkaProducer(kafka)
})

afterAll(async () => {
  for (const w of workers) {
    await w.stop().catch(() => undefined)
  }
  await producer?.close()
  for (const s of stores) {
    await s.drop()
  }
  await broker?.stop()
})

describe('a database error in a Kafka worker', () => {
  it('refusing the first commit, before any offset is stored, loses nothing: the worker reads its partitions again from the beginning', async () => {
    // The database refuses the first commit (a sequence, because it does not roll back with the failure).
    await store.db.exec(`
      create sequence commit_attempts;
      create function refuse_first_commit() returns trigger language plpgsql as $$
      begin
        if nextval('commit_attempts') = 1 then raise exception 'injected: the first commit fails'; end if;
        return new;
      end $$;
      create trigger refuse_first_commit before insert on stream_offsets for each statement execute function refuse_first_commit();`)
    const errors: string[] = []
    await sendAll('city.')
    await startWorker(store.db, 'city.', errors)
    await waitUntil(async () => (await handled(store.db)) >= messages.length, 60_000)
    await new Promise((r) => setTimeout(r, 1000))

    expect(errors.some((e) => e.includes('injected'))).toBe(true)
    expect(await handled(store.db)).toBe(messages.length)
    const { rows } = await store.db.query<{ n: number }>('select count(*)::int as n from seen_messages')
    expect(rows[0]!.n).toBe(new Set(messages.filter((m) => !m.bad).map((m) => JSON.parse(m.value).id)).size)
  })
  it('failing the dedupe lookups of records already fetched loses nothing either: the worker starts over from the stored offsets', async () => {
    const again = await openTestStore('postgres')
    stores.push(again)
    // Without its dedupe table the database answers no lookup (nor commit) until the table is back.
    await again.db.exec('alter table seen_messages rename to seen_messages_away')
    const errors: string[] = []
    await sendAll('again.')
    await startWorker(again.db, 'again.', errors)
    await waitUntil(async () => errors.some((e) => e.includes('seen_messages')), 60_000)
    await again.db.exec('alter table seen_messages_away rename to seen_messages')
    await waitUntil(async () => (await handled(again.db)) >= messages.length, 60_000)
    await new Promise((r) => setTimeout(r, 1000))

    expect(errors.some((e) => e.includes('seen_messages'))).toBe(true)
    expect(await handled(again.db)).toBe(messages.length)
  })
})
