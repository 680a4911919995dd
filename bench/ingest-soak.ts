import { createStreamGenerator, type Device } from '@city/demo-city'
import { startLogConsumer } from '@city/ingest'
import type { RegionTree } from '@city/metrics'
import { createMemoryPubSub, MemoryLog, type Db } from '@city/platform'

const fmt = (x: number) => Math.round(x).toLocaleString('en')
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

interface SoakOptions {
  /** A migrated, empty database. */
  db: Db
  tree: RegionTree
  devices: Device[]
  minutes: number
  /** Messages per second. */
  rate: number
}

/**
 * The ingest (in-process log → pipeline → commits into PostgreSQL) for a while at a steady rate: the
 * simulated city's next minute whenever the rate is due more messages. Prints the process's memory every
 * 30 s, and the database's size beside it. The log drops what is committed, so everything in this
 * process's memory is the ingest's (an in-process PGlite would grow with the data it stores).
 */
export async function soak({ db, tree, devices, minutes, rate: perSecond }: SoakOptions): Promise<void> {
  const log = new MemoryLog()
  const generator = createStreamGenerator({ devices, regions: tree, seed: 11, badShare: 0.005 })
  let simMs = Date.parse('2026-11-23T00:00:00+08:00')
  const consumer = await startLogConsumer({ db, log, pubsub: createMemoryPubSub(), tree, devices, now: () => simMs + 60_000 })
  const started = performance.now()
  let sent = 0
  let nextReport = 0
  console.log(`soak: ${minutes} min at ${fmt(perSecond)} msg/s (in-process log → PostgreSQL)`)
  while (performance.now() - started < minutes * 60_000) {
    const elapsedS = (performance.now() - started) / 1000
    if (elapsedS >= nextReport) {
      // With --expose-gc the heap is measured after a full collection: what is live, not what awaits collection.
      ;(globalThis as { gc?: () => void }).gc?.()
      const m = process.memoryUsage()
      const { rows } = await db.query<{ data: string }>('select pg_database_size(current_database())::text as data')
      console.log(`  ${elapsedS.toFixed(0).padStart(4)} s  sent ${fmt(sent).padStart(9)}  rss ${mb(m.rss)}  heap used ${mb(m.heapUsed)} of ${mb(m.heapTotal)}  ` +
        `array buffers ${mb(m.arrayBuffers)}  pending ${consumer.stats().pending}  (database ${mb(Number(rows[0]!.data))})`)
      nextReport += 30
    }
    while (sent < elapsedS * perSecond) {
      const window = generator.generate(simMs, simMs + 60_000)
      simMs += 60_000
      for (const m of window) {
        log.append({ topic: m.topic, key: m.key, value: m.value })
      }
      sent += window.length
    }
    await sleep(100)
  }
  await consumer.drain()
  await consumer.stop()
  const m = process.memoryUsage()
  console.log(`  done: ${fmt(sent)} messages, rss ${mb(m.rss)}, heap used ${mb(m.heapUsed)}`)
}
