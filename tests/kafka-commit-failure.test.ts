import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { simulate } from './support/embedded.js'
import { handledIn, startKafkaWorld, waitUntil, type KafkaWorld } from './support/kafka.js'
import { openTestStore, type TestStore } from './support/stores.js'

const END = Date.parse('2026-11-23T08:30:00+08:00')
const messages = simulate(END - 10 * 60_000, END, { seed: 43, badShare: 0.02 })
let world: KafkaWorld
const stores: TestStore[] = []

/** A fresh store with one worker (a group of its own) on the topics under `prefix`, recording its errors. */
async function startWorker(prefix: string, errors: string[], prepare: (db: TestStore['db']) => Promise<void>): Promise<TestStore> {
  const store = await openTestStore('postgres')
  stores.push(store)
  await prepare(store.db)
  await world.send(messages, prefix)
  await world.startWorker(`w-${prefix}`, {
    db: store.db, now: () => END, topicPrefix: prefix, groupId: `ingest-${prefix}`, onError: (error) => errors.push((error as Error).message),
  })
  return store
}

beforeAll(async () => {
  world = await startKafkaWorld({ prefixes: ['city.', 'again.'] })
})

afterAll(async () => {
  await world?.stop()
  for (const s of stores) {
    await s.drop()
  }
})

describe('a database error in a Kafka worker', () => {
  it('refusing the first commit, before any offset is stored, loses nothing: the worker reads its partitions again from the beginning', async () => {
    const errors: string[] = []
    // The database refuses the first commit (a sequence, because it does not roll back with the failure).
    const store = await startWorker('city.', errors, (db) => db.exec(`
      create sequence commit_attempts;
      create function refuse_first_commit() returns trigger language plpgsql as $$
      begin
        if nextval('commit_attempts') = 1 then raise exception 'injected: the first commit fails'; end if;
        return new;
      end $$;
      create trigger refuse_first_commit before insert on stream_offsets for each statement execute function refuse_first_commit();`))
    await waitUntil(async () => (await handledIn(store.db)) >= messages.length, 60_000)
    await new Promise((r) => setTimeout(r, 1000))

    expect(errors.some((e) => e.includes('injected'))).toBe(true)
    expect(await handledIn(store.db)).toBe(messages.length)
    const { rows } = await store.db.query<{ n: number }>('select count(*)::int as n from seen_messages')
    expect(rows[0]!.n).toBe(new Set(messages.filter((m) => !m.bad).map((m) => JSON.parse(m.value).id)).size)
  })

  it('failing the dedupe lookups of records already fetched loses nothing either: the worker starts over from the stored offsets', async () => {
    const errors: string[] = []
    // Without its dedupe table the database answers no lookup (nor commit) until the table is back.
    const again = await startWorker('again.', errors, (db) => db.exec('alter table seen_messages rename to seen_messages_away'))
    await waitUntil(async () => errors.some((e) => e.includes('seen_messages')), 60_000)
    await again.db.exec('alter table seen_messages_away rename to seen_messages')
    await waitUntil(async () => (await handledIn(again.db)) >= messages.length, 60_000)
    await new Promise((r) => setTimeout(r, 1000))

    expect(errors.some((e) => e.includes('seen_messages'))).toBe(true)
    expect(await handledIn(again.db)).toBe(messages.length)
  })
})
