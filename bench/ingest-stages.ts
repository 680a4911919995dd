/**
 * Where the aggregation core's time goes: the same messages through growing prefixes of the core, each
 * as a multiple of a plain JSON.parse loop over them (the bound of bench:ingest's (c)) measured in the
 * same round, so that a noisy machine's drift cancels out. Stages:
 *   parse    JSON.parse alone
 *   decode   scanReading, and decodeMessage where it declines (JSON.parse, contract, times, value limits, text checks)
 *   handle   pipeline.handle: decode, dedupe, region, fold into minute cells (a batch taken every 50,000)
 *   rollup   handle + takeBatch + rollUp into hours, days and ancestors: what bench:ingest's (a) times
 * Each line: the median per message, the median ratio to parse, and the best round's time per message
 * (on a shared machine, the least disturbed).
 * Usage: pnpm --filter @city/bench stages [--hours 6] [--rounds 6] [--fleet 1 --interval 30]
 */
import { cpus, loadavg } from 'node:os'
import { parseArgs } from 'node:util'
import { createStreamGenerator, loadDemoCity } from '@city/demo-city'
import { createPipeline, rollUp } from '@city/ingest'
import { loadRegionTree } from '@city/metrics'
import { decodeMessage, ScannedReading, scanReading, type SourceTopic } from '@city/metrics/wire'

const { values: args } = parseArgs({
  options: {
    hours: { type: 'string', default: '6' },
    rounds: { type: 'string', default: '6' },
    fleet: { type: 'string', default: '1' },
    interval: { type: 'string', default: '30' },
  },
})
const city = loadDemoCity()
const tree = loadRegionTree(city.regions)
const copies = Number(args.fleet)
const devices = city.devices.flatMap((d) => Array.from({ length: copies }, (_, c) => (c === 0 ? d : { ...d, id: `${d.id}-x${c}` })))
const startMs = Date.parse('2026-11-23T00:00:00+08:00')
const endMs = startMs + Number(args.hours) * 3_600_000
// Each text decoded from its bytes, as consumers get it (see bench/ingest.ts's EncodedStream: other kinds of string read slower).
const records = createStreamGenerator({ devices, regions: tree, seed: 7, badShare: 0.005, reportIntervalS: Number(args.interval) })
  .generate(startMs, endMs).map((m, offset) => ({ topic: m.topic, partition: 0, offset, key: m.key, value: Buffer.from(m.value).toString() }))
const now = () => endMs + 60_000
const CHUNK = 5000
const BATCH = 50_000
console.log(`${cpus().length}× ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}, load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}; ${records.length.toLocaleString('en')} messages`)

async function core(rollUpBatches: boolean): Promise<void> {
  const pipeline = createPipeline({ tree, devices, now, loadCases: async () => [], loadSeen: async () => new Set() })
  for (let i = 0; i < records.length; i += CHUNK) {
    await pipeline.handle(records.slice(i, i + CHUNK))
    if (pipeline.pending >= BATCH || i + CHUNK >= records.length) {
      const batch = pipeline.takeBatch()
      if (rollUpBatches) {
        for (const table of Object.values(rollUp(batch.leaves, tree, 'Asia/Shanghai'))) {
          table.release()
        }
      }
      // As after a commit: the store now answers for this batch's ids.
      pipeline.stored(batch)
    }
  }
}

const stages: Record<string, () => unknown> = {
  parse: () => {
    for (const r of records) {
      try {
        JSON.parse(r.value)
      } catch {
        // the deliberately broken messages cost their throw, as in the core
      }
    }
  },
  decode: () => {
    const options = { nowMs: now(), maxSkewMs: 300_000 }
    const reading = new ScannedReading()
    for (const r of records) {
      if (!scanReading(r.value, r.topic.slice('city.'.length), options.nowMs, options.maxSkewMs, reading)) {
        decodeMessage(r.topic as SourceTopic, r.value, options)
      }
    }
  },
  handle: () => core(false),
  rollup: () => core(true),
}

const times: Record<string, number[]> = {}
// Round 0 is the JIT's and is not counted.
for (let round = 0; round <= Number(args.rounds); round++) {
  for (const [name, run] of Object.entries(stages)) {
    const t = performance.now()
    await run()
    if (round > 0) {
      (times[name] ??= []).push(performance.now() - t)
    }
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
let before = 0
for (const name of Object.keys(stages)) {
  const ratio = median(times[name]!.map((t, i) => t / times.parse![i]!))
  const perMessage = median(times[name]!) * 1000 / records.length
  console.log(`${name.padEnd(7)} ${perMessage.toFixed(3)} µs/msg   ${ratio.toFixed(2)}× parse   +${(ratio - before).toFixed(2)}×   best ${(Math.min(...times[name]!) * 1000 / records.length).toFixed(3)} µs/msg`)
  before = ratio
}
