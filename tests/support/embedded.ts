import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { buildApp } from '@city/api'
import { createStreamGenerator, loadDemoCity, type SimMessage } from '@city/demo-city'
import { startLogConsumer } from '@city/ingest'
import { loadRegionTree } from '@city/metrics'
import { createMemoryPubSub, MemoryLog, migrate, openPgliteDb, type Db, type PubSub } from '@city/platform'

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

const COCKPIT_DIR = fileURLToPath(new URL('../../apps/cockpit/dist', import.meta.url))

/**
 * The built cockpit and the API over a product's store, listening on a free loopback port, for a real
 * browser: `origin` is where to point it. Live snapshots tick every 200 ms.
 */
export async function serveCockpit(product: { db: Db, pubsub: PubSub }, now: () => number) {
  if (!existsSync(`${COCKPIT_DIR}/index.html`)) {
    throw new Error('the cockpit is not built: run `pnpm --filter @city/cockpit build` (pnpm test does it first)')
  }
  const app = await buildApp({ context: { db: product.db, pubsub: product.pubsub, tree, timeZone: 'Asia/Shanghai', staleAfterMs: 180_000, now }, cockpitDir: COCKPIT_DIR, live: { tickMs: 200 } })
  await app.listen({ port: 0, host: '127.0.0.1' })
  return { app, origin: `http://127.0.0.1:${(app.server.address() as { port: number }).port}` }
}
