import { buildApp } from '@city/api'
import { createStreamGenerator, loadDemoCity, type SimMessage } from '@city/demo-city'
import { startLogConsumer } from '@city/ingest'
import { loadRegionTree } from '@city/metrics'
import { createMemoryPubSub, MemoryLog, migrate, openPgliteDb } from '@city/platform'

export const city = loadDemoCity()
export const tree = loadRegionTree(city.regions)

/** Messages the simulator produces for [fromMs, toMs), bad ones marked. */
export function simulate(fromMs: number, toMs: number, options: { seed?: number, badShare?: number } = {}): SimMessage[] {
  return createStreamGenerator({ devices: city.devices, regions: tree, seed: options.seed ?? 3, badShare: options.badShare ?? 0.02 }).generate(fromMs, toMs)
}

/**
 * The embedded product without its timers' wall clock: PGlite in memory, the in-process log, the ingest
 * consumer and the API, all reading the clock `now`.
 */
export async function startEmbedded(now: () => number) {
  const db = await openPgliteDb('memory://')
  await migrate(db)
  const log = new MemoryLog()
  const pubsub = createMemoryPubSub()
  const consumer = await startLogConsumer({ db, log, pubsub, tree, devices: city.devices, now, flushIntervalMs: 200 })
  const app = await buildApp({ context: { db, pubsub, tree, timeZone: 'Asia/Shanghai', staleAfterMs: 180_000, now }, live: { tickMs: 100 } })
  return {
    db, log, pubsub, consumer, app,
    /** Appends messages and waits until all of them are committed. */
    async ingest(messages: readonly SimMessage[]) {
      for (const m of messages) {
        log.append({ topic: m.topic, key: m.key, value: m.value })
      }
      await consumer.drain()
    },
    async close() {
      await app.close()
      await consumer.stop()
      await db.close()
    },
  }
}
