/**
 * Embedded pipeline throughput: simulator messages → in-process log → ingest → PGlite, at full speed.
 * Also the aggregation core alone (no store) and a plain JSON.parse loop over the same bytes, the
 * machine's bound. Usage: pnpm bench:pipeline [simulated hours, default 6]
 */
import { cpus } from 'node:os'
import { createStreamGenerator, loadDemoCity } from '@city/demo-city'
import { createPipeline, startLogConsumer } from '@city/ingest'
import { loadRegionTree } from '@city/metrics'
import { createMemoryPubSub, MemoryLog, migrate, openPgliteDb } from '@city/platform'

const hours = Number(process.argv[2] ?? 6)
const { regions, devices } = loadDemoCity()
const tree = loadRegionTree(regions)
const startMs = Date.parse('2026-11-23T00:00:00+08:00')
const endMs = startMs + hours * 3_600_000
const messages = createStreamGenerator({ devices, regions: tree, seed: 7, badShare: 0.005 }).generate(startMs, endMs)
const now = () => endMs + 60_000
console.log(`${messages.length} messages for ${hours} simulated hours on ${cpus().length}× ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}`)

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

function timeIt(runs: number, fn: () => void): number {
  const rates: number[] = []
  for (let i = 0; i < runs; i++) {
    const t = performance.now()
    fn()
    rates.push(messages.length / ((performance.now() - t) / 1000))
  }
  return median(rates)
}

const parseRate = timeIt(5, () => {
  for (const m of messages) {
    JSON.parse(m.value.endsWith('}') ? m.value : '{}')
  }
})
const records = messages.map((m, i) => ({ topic: m.topic, partition: 0, offset: i, key: m.key, value: m.value }))
const coreRates: number[] = []
for (let i = 0; i < 5; i++) {
  const pipeline = createPipeline({ tree, devices, now, loadCases: async () => [] })
  const t = performance.now()
  await pipeline.handle(records)
  coreRates.push(messages.length / ((performance.now() - t) / 1000))
}
const coreRate = median(coreRates)

const db = await openPgliteDb('memory://')
await migrate(db)
const log = new MemoryLog()
const consumer = await startLogConsumer({ db, log, pubsub: createMemoryPubSub(), tree, devices, now })
const t = performance.now()
for (const m of messages) {
  log.append({ topic: m.topic, key: m.key, value: m.value })
}
await consumer.drain()
const seconds = (performance.now() - t) / 1000
await consumer.stop()
await db.close()

console.log(`JSON.parse loop (machine bound): ${Math.round(parseRate).toLocaleString('en')} msg/s (median of 5)`)
console.log(`aggregation core alone:          ${Math.round(coreRate).toLocaleString('en')} msg/s (median of 5), ${(100 * coreRate / parseRate).toFixed(0)}% of the bound`)
console.log(`embedded end to end (PGlite):    ${Math.round(messages.length / seconds).toLocaleString('en')} msg/s (${seconds.toFixed(1)} s for ${messages.length} messages, 1 run)`)
