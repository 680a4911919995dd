import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSnapshotCache, loadSnapshot, type SnapshotCache } from '@city/api'
import type { SimMessage } from '@city/demo-city'
import { startLogConsumer, type LogConsumer } from '@city/ingest'
import { MINUTE_MS } from '@city/metrics'
import { createMemoryPubSub, MemoryLog } from '@city/platform'
import { city, simulate, tree } from './support/embedded.js'
import { openTestStore, type TestStore } from './support/stores.js'

// The live publisher's snapshots, kept current from commit notices, against loadSnapshot computed fresh,
// while the real ingest commits a simulated stream into PostgreSQL: minute by minute, with late readings
// (into minutes long past, inside and beyond the trend's hour) and work orders moving through their stages.
const END = Date.parse('2026-11-23T10:30:00+08:00')
const FROM = END - 2 * 3_600_000
const LIVE_FROM = END - 12 * MINUTE_MS
const messages = simulate(FROM, END, { seed: 8, badShare: 0.01 })
const tsOf = (m: SimMessage) => Date.parse(/"ts":"([^"]+)"/.exec(m.value)?.[1] ?? '')
const ROOMS = [tree.root.id, ...tree.root.children, ...tree.root.children.flatMap((d) => tree.get(d)!.children)]
const TZ = 'Asia/Shanghai'

let store: TestStore
let consumer: LogConsumer
let cache: SnapshotCache
let nowMs = LIVE_FROM
const log = new MemoryLog()
const pubsub = createMemoryPubSub()

async function ingest(batch: readonly SimMessage[]): Promise<void> {
  batch.forEach((m) => log.append({ topic: m.topic, key: m.key, value: m.value }))
  await consumer.drain()
}

/** Readings from `minutesAgo` before the clock, under new ids: late data for minutes committed long ago. */
function lateCopies(minutesAgo: number, n: number, tag: string): SimMessage[] {
  const at = nowMs - minutesAgo * MINUTE_MS
  return messages
    .filter((m) => !m.bad && m.topic !== 'city.events' && Math.abs(tsOf(m) - at) < MINUTE_MS)
    .slice(0, n)
    .map((m) => ({ ...m, value: m.value.replace(/"id":"([^"]+)"/, `"id":"$1-late-${tag}"`) }))
}

beforeAll(async () => {
  store = await openTestStore('postgres')
  consumer = await startLogConsumer({ db: store.db, log, pubsub, tree, devices: city.devices, now: () => nowMs, flushIntervalMs: 100 })
  cache = createSnapshotCache({ db: store.db, tree, notices: pubsub, timeZone: TZ, staleAfterMs: 180_000, now: () => nowMs })
  await ingest(messages.filter((m) => tsOf(m) < LIVE_FROM || Number.isNaN(tsOf(m))))
})

afterAll(async () => {
  cache?.stop()
  await consumer?.stop()
  await store?.drop()
})

describe('snapshots from cached minutes, under the real ingest', () => {
  it('equal loadSnapshot computed fresh after every minute of the stream and every late batch', async () => {
    for (let step = 0; nowMs < END; step++) {
      const until = nowMs + MINUTE_MS
      const minute = messages.filter((m) => tsOf(m) >= nowMs && tsOf(m) < until)
      nowMs = until
      await ingest([...minute, ...lateCopies(step % 3 === 0 ? 90 : 7, 40, String(step))])
      const cached = await cache.compute(ROOMS)
      const fresh = await Promise.all(ROOMS.map((room) => loadSnapshot(store.db, tree, room, { nowMs, timeZone: TZ, staleAfterMs: 180_000 })))
      expect(cached.map((s) => s.version)).toEqual(fresh.map((s) => s.version))
      expect(cached).toEqual(fresh)
    }
  })
})
