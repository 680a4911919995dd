/**
 * Ingest benchmark (issue 5), on the demo city's simulated stream, pre-encoded, all figures from one run:
 *   (a) the aggregation core alone on one core: pipeline.handle + takeBatch + rollUp, no I/O;
 *   (b) one worker end to end: test broker → kafkajs → startKafkaConsumer → PostgreSQL, until every
 *       message is committed; beside it (b′) the same pipeline and commits fed directly, without Kafka;
 *   (c) the machine's bound: a plain JSON.parse loop over the same messages.
 * `--soak <minutes>` instead runs the ingest (in-process log → PostgreSQL) at a steady rate and prints
 * memory every 30 s.
 * `--fleet <n> --interval <s>` runs the same on a denser stream: n copies of the demo city's devices, each
 * reporting every s seconds (the demo city: 1 copy every 30 s, so each region-minute-metric row gets about
 * one message; a city producing 50,000 messages a second folds thousands into each row).
 * Usage: pnpm bench:ingest [--hours 6] [--runs 5] [--whole-runs] [--core-only | --kafka-only] [--fleet 1 --interval 30] | [--soak 10 --rate 5000]
 */
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { parseArgs } from 'node:util'
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads'
import { createStreamGenerator, loadDemoCity, type SimMessage } from '@city/demo-city'
import { commitBatch, createPipeline, loadCaseStates, loadSeenIds, rollUp, startKafkaConsumer } from '@city/ingest'
import { loadRegionTree } from '@city/metrics'
import { TOPICS } from '@city/metrics/wire'
import { createKafka, createKafkaProducer, createMemoryPubSub, ensureTopics, migrate, openPostgresDb, type Db, type StreamRecord } from '@city/platform'
import { startKafkaBroker } from '../tests/kafka-broker/broker.js'
import { soak } from './ingest-soak.js'

async function main(): Promise<void> {
  // kafkajs warns on every producer that its default partitioner changed in 2.0; we know.
  process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1'
  const { values: args } = parseArgs({
    options: {
      hours: { type: 'string', default: '6' },
      runs: { type: 'string', default: '5' },
      'core-only': { type: 'boolean', default: false },
      'kafka-only': { type: 'boolean', default: false },
      'whole-runs': { type: 'boolean', default: false },
      fleet: { type: 'string', default: '1' },
      interval: { type: 'string', default: '30' },
      soak: { type: 'string' },
      rate: { type: 'string', default: '5000' },
      postgres: { type: 'string', default: process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test' },
    },
  })
  const city = loadDemoCity()
  const tree = loadRegionTree(city.regions)
  const copies = Number(args.fleet)
  const devices = city.devices.flatMap((d) => Array.from({ length: copies }, (_, c) => (c === 0 ? d : { ...d, id: `${d.id}-x${c}` })))
  console.log(`${cpus().length}× ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}, load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`)
  if (args.soak !== undefined) {
    await withDatabase(args.postgres, (db) => soak({ db, tree, devices: city.devices, minutes: Number(args.soak), rate: Number(args.rate) }))
    return
  }
  const startMs = Date.parse('2026-11-23T00:00:00+08:00')
  const endMs = startMs + Number(args.hours) * 3_600_000
  const stream = new EncodedStream(createStreamGenerator({ devices, regions: tree, seed: 7, badShare: 0.005, reportIntervalS: Number(args.interval) }).generate(startMs, endMs))
  const ctx: BenchContext = { tree, devices, stream, now: () => endMs + 60_000 }
  console.log(`${fmt(stream.size)} messages, ${args.hours} simulated hours of the demo city, ${fmt(devices.length)} registered devices reporting every ${args.interval} s`)
  if (args['kafka-only']) {
    const kafka = await withDatabase(args.postgres, (db) => benchKafka(ctx, db))
    console.log(describeKafka(kafka))
    return
  }
  const { parseRate, coreRate } = await benchCore(ctx, Number(args.runs), args['whole-runs'])
  if (args['core-only']) {
    return
  }
  const direct = await withDatabase(args.postgres, (db) => benchDirect(ctx, db))
  const kafka = await withDatabase(args.postgres, (db) => benchKafka(ctx, db))
  console.log(`(b′) pipeline + commits, no Kafka:  ${fmt(direct)} msg/s, ${pct(direct, parseRate)} of (c)`)
  console.log(describeKafka(kafka))
  console.log(`    core ${pct(coreRate, parseRate)} of (c); (b′) ${pct(direct, coreRate)} of (a); (b) ${pct(kafka.rate, direct)} of (b′)`)
}

interface BenchContext {
  tree: ReturnType<typeof loadRegionTree>
  devices: ReturnType<typeof loadDemoCity>['devices']
  stream: EncodedStream
  now: () => number
}

const TOPIC_LIST = [TOPICS.traffic, TOPICS.environment, TOPICS.events]

/**
 * The pre-encoded messages, held the way a consumer never holds a stream: all values in one buffer,
 * all keys in another. Records are cut from them a chunk at a time, so the benchmark's own data is a
 * handful of objects rather than hundreds of thousands that every full garbage collection would walk,
 * a cost the core would pay and the JSON.parse loop would not. Each record's text is decoded from its
 * bytes, as the Kafka consumer decodes a message's value: a slice of one long string is a different
 * kind of string to V8, and the core handled those a third slower than the texts it really gets.
 */
class EncodedStream {
  readonly size: number
  private readonly values: Buffer
  private readonly keys: Buffer
  private readonly valueAt: Int32Array
  private readonly keyAt: Int32Array
  private readonly topic: Uint8Array
  private readonly atMs: Float64Array

  constructor(messages: readonly SimMessage[]) {
    this.size = messages.length
    this.values = Buffer.from(messages.map((m) => m.value).join(''))
    this.keys = Buffer.from(messages.map((m) => m.key).join(''))
    this.valueAt = offsets(messages.map((m) => Buffer.byteLength(m.value)))
    this.keyAt = offsets(messages.map((m) => Buffer.byteLength(m.key)))
    this.topic = Uint8Array.from(messages, (m) => TOPIC_LIST.indexOf(m.topic))
    this.atMs = Float64Array.from(messages, (m) => m.atMs)
  }

  /** When message i was sent: the Kafka timestamp its producer gives it. */
  timeAt(i: number): number {
    return this.atMs[i]!
  }

  /** Records from..to (exclusive), numbered by their position. */
  records(from: number, to: number): StreamRecord[] {
    const out: StreamRecord[] = []
    for (let i = from; i < Math.min(to, this.size); i++) {
      out.push({ topic: TOPIC_LIST[this.topic[i]!]!, partition: 0, offset: i, key: this.keys.toString('utf8', this.keyAt[i], this.keyAt[i + 1]), value: this.values.toString('utf8', this.valueAt[i], this.valueAt[i + 1]) })
    }
    return out
  }
}

function offsets(lengths: readonly number[]): Int32Array {
  const at = new Int32Array(lengths.length + 1)
  lengths.forEach((n, i) => {
    at[i + 1] = at[i]! + n
  })
  return at
}

const TIME_ZONE = 'Asia/Shanghai'
/** Records per pipeline.handle call (what the log consumer reads at once) and per committed batch (maxBatchRecords). */
const CHUNK = 5000
const BATCH = 50_000

/** This process's CPU time in ms (user + system, every thread): on a shared machine, the time that was ours. */
const cpuMs = () => {
  const { user, system } = process.cpuUsage()
  return (user + system) / 1000
}
interface Timing {
  wallMs: number
  cpuMs: number
}
export const fmt = (x: number) => Math.round(x).toLocaleString('en')
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const rate = (n: number, ms: number) => n / (ms / 1000)
const pct = (x: number, of: number) => `${(100 * x / of).toFixed(0)}%`
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/**
 * (a) and (c), interleaved so that other work on a shared machine slows both alike: by default chunk by
 * chunk within each run (each timed on its own freshly cut records, which of the two goes first
 * alternating); with wholeRuns, whole runs in turn. Load on a shared machine comes in bursts, and a
 * burst lands in one run or the other whole; the core's run is the longer, and catches more of them.
 */
async function benchCore(ctx: BenchContext, runs: number, wholeRuns: boolean): Promise<{ parseRate: number, coreRate: number }> {
  const parse: Timing[] = []
  const core: Timing[] = []
  const run = wholeRuns ? async () => ({ parse: parseLoop(ctx.stream), core: await coreRun(ctx) }) : () => interleavedRun(ctx)
  // One round untimed first: a worker runs for hours, its code optimized; the first pass is the JIT's.
  await run()
  for (let i = 0; i < runs; i++) {
    const timed = await run()
    parse.push(timed.parse)
    core.push(timed.core)
  }
  const rates = (ts: Timing[], of: keyof Timing) => ts.map((t) => rate(ctx.stream.size, t[of]))
  const [parseWall, coreWall, parseCpu, coreCpu] = [rates(parse, 'wallMs'), rates(core, 'wallMs'), rates(parse, 'cpuMs'), rates(core, 'cpuMs')]
  const how = `medians of ${runs} after a warm-up round, ${wholeRuns ? 'whole runs in turn' : 'interleaved chunk by chunk'}`
  console.log(`(c) JSON.parse loop (bound):       ${fmt(median(parseWall))} msg/s wall, ${fmt(median(parseCpu))} msg/s per CPU second (${how}; wall ${parseWall.map(fmt).join(', ')})`)
  console.log(`(a) aggregation core, one core:     ${fmt(median(coreWall))} msg/s wall, ${fmt(median(coreCpu))} msg/s per CPU second (${how}; wall ${coreWall.map(fmt).join(', ')})`)
  const ratios = (of: keyof Timing) => core.map((c, i) => parse[i]![of] / c[of])
  console.log(`    (a)/(c): ${pct(median(ratios('wallMs')), 1)} by wall, ${pct(median(ratios('cpuMs')), 1)} by CPU (medians of the runs' ratios); per run by wall ${ratios('wallMs').map((r) => pct(r, 1)).join(', ')}`)
  return { parseRate: median(parseWall), coreRate: median(coreWall) }
}

/** The core's pipeline for one pass over the stream; the store's dedupe lookup answered without I/O (nothing was committed before). */
function benchPipeline(ctx: BenchContext) {
  return createPipeline({ tree: ctx.tree, devices: ctx.devices, now: ctx.now, loadCases: async () => [], loadSeen: async () => new Set() })
}

/** Parses every message, nothing else; cutting the records out of the stream is not timed, here or in the core. */
function parseLoop(stream: EncodedStream): Timing {
  const timing = { wallMs: 0, cpuMs: 0 }
  for (let i = 0; i < stream.size; i += CHUNK) {
    parseChunk(stream, i, timing)
  }
  return timing
}

/** Decode, validate, resolve and fold; every BATCH records the batch is taken and rolled up, as a commit would. */
async function coreRun(ctx: BenchContext): Promise<Timing> {
  const pipeline = benchPipeline(ctx)
  const timing = { wallMs: 0, cpuMs: 0 }
  let rows = 0
  for (let i = 0; i < ctx.stream.size; i += CHUNK) {
    rows += await coreChunk(ctx, pipeline, i, timing)
  }
  if (rows === 0) {
    throw new Error('the core produced no rows')
  }
  return timing
}

/** One pass over the stream, the core's and the parse loop's chunks in turn. */
async function interleavedRun(ctx: BenchContext): Promise<{ parse: Timing, core: Timing }> {
  const pipeline = benchPipeline(ctx)
  const parse = { wallMs: 0, cpuMs: 0 }
  const core = { wallMs: 0, cpuMs: 0 }
  let rows = 0
  for (let i = 0; i < ctx.stream.size; i += CHUNK) {
    // Which goes first alternates: neither always follows the other's use of the cache.
    if ((i / CHUNK) % 2 === 0) {
      parseChunk(ctx.stream, i, parse)
      rows += await coreChunk(ctx, pipeline, i, core)
    } else {
      rows += await coreChunk(ctx, pipeline, i, core)
      parseChunk(ctx.stream, i, parse)
    }
  }
  if (rows === 0) {
    throw new Error('the core produced no rows')
  }
  return { parse, core }
}

/** JSON.parse over the records of chunk i (cut from the stream untimed), its time added to timing. */
function parseChunk(stream: EncodedStream, i: number, timing: Timing): void {
  const records = stream.records(i, i + CHUNK)
  const [t, c] = [performance.now(), cpuMs()]
  for (const r of records) {
    try {
      JSON.parse(r.value)
    } catch {
      // the deliberately broken messages cost their throw, as in the core
    }
  }
  timing.wallMs += performance.now() - t
  timing.cpuMs += cpuMs() - c
}

/** The records of chunk i (cut from the stream untimed) through the pipeline, its time added to timing; the rows rolled up. */
async function coreChunk(ctx: BenchContext, pipeline: ReturnType<typeof benchPipeline>, i: number, timing: Timing): Promise<number> {
  const records = ctx.stream.records(i, i + CHUNK)
  const [t, c] = [performance.now(), cpuMs()]
  let rows = 0
  await pipeline.handle(records)
  if (pipeline.pending >= BATCH || i + CHUNK >= ctx.stream.size) {
    // As a commit does: roll up, then hand the arrays on to the next tables (the pipeline releases
    // the batch's own once told it is stored).
    const batch = pipeline.takeBatch()
    const rolled = rollUp(batch.leaves, ctx.tree, TIME_ZONE)
    for (const table of Object.values(rolled)) {
      rows += table.size
      table.release()
    }
    pipeline.stored(batch)
  }
  timing.wallMs += performance.now() - t
  timing.cpuMs += cpuMs() - c
  return rows
}

/** A fresh database on the PostgreSQL server for fn, dropped afterwards. */
async function withDatabase<T>(adminUrl: string, fn: (db: Db) => Promise<T>): Promise<T> {
  const name = `city_bench_${randomBytes(5).toString('hex')}`
  const admin = await openPostgresDb({ url: adminUrl, poolSize: 1 })
  await admin.query(`create database ${name}`)
  const url = new URL(adminUrl)
  url.pathname = `/${name}`
  const db = await openPostgresDb({ url: url.toString(), poolSize: 4 })
  try {
    await migrate(db)
    return await fn(db)
  } finally {
    await db.close()
    await admin.query(`drop database if exists ${name} with (force)`)
    await admin.close()
  }
}

function describeKafka(kafka: KafkaFigures): string {
  return `(b) one Kafka worker end to end:    ${fmt(kafka.rate)} msg/s steady (${fmt(kafka.overall)} msg/s from start, ${kafka.seconds.toFixed(1)} s); ` +
    `worker thread busy ${pct(kafka.workerBusy, 1)}, broker thread busy ${pct(kafka.brokerBusy, 1)}, its PostgreSQL backends ${kafka.postgresCpu.toFixed(2)} CPU s per s; ${kafka.minuteCellsPerMessage.toFixed(3)} minute cells per message`
}

/**
 * (b′) What one worker does per record and per commit, fed from memory: kafkajs and the broker left
 * out. As the Kafka consumer does, each batch commits in the background while the next is handled.
 */
async function benchDirect(ctx: BenchContext, db: Db): Promise<number> {
  const pipeline = createPipeline({
    tree: ctx.tree, devices: ctx.devices, now: ctx.now,
    loadCases: (ids) => loadCaseStates(db, ids), loadSeen: (ids) => loadSeenIds(db, ids),
  })
  const readFrom = new Map<string, number>()
  let inFlight: Promise<void> = Promise.resolve()
  const t = performance.now()
  for (let i = 0; i < ctx.stream.size; i += CHUNK) {
    await pipeline.handle(ctx.stream.records(i, i + CHUNK))
    if (pipeline.pending >= BATCH || i + CHUNK >= ctx.stream.size) {
      await inFlight
      const batch = pipeline.takeBatch()
      inFlight = commitBatch(db, batch, { consumer: 'bench', stream: 'bench', tree: ctx.tree, timeZone: TIME_ZONE, readFrom }).then(() => {
        pipeline.stored(batch)
        for (const o of batch.offsets.values()) {
          readFrom.set(`${o.topic}|${o.partition}`, o.nextOffset)
        }
      })
    }
  }
  await inFlight
  return rate(ctx.stream.size, performance.now() - t)
}

interface KafkaFigures {
  /** From the first commit to the last. */
  rate: number
  /** From the worker's start (group join included) to the last commit. */
  overall: number
  seconds: number
  workerBusy: number
  brokerBusy: number
  /** CPU seconds per second of the run spent by the server processes serving the bench database (Linux only, else 0). */
  postgresCpu: number
  /** Stored minute cells (agg_1m_cells rows) at the end per message: how much of the stream folds into shared cells. */
  minuteCellsPerMessage: number
}

/**
 * CPU time (ms) of the server processes that serve this database, by pid, from /proc (empty where there
 * is none). Backends of other databases, and the server's own background processes, are left out.
 */
async function backendCpuMs(db: Db): Promise<Map<number, number>> {
  const { rows } = await db.query<{ pid: number }>('select pid from pg_stat_activity where datname = current_database()')
  const out = new Map<number, number>()
  for (const { pid } of rows) {
    const stat = readFileSafe(`/proc/${pid}/stat`)
    if (stat !== '') {
      // pid (comm) state ppid …: utime and stime are the 12th and 13th fields after the closing parenthesis.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      out.set(pid, (Number(fields[11]) + Number(fields[12])) * 10) // USER_HZ is 100 on Linux
    }
  }
  return out
}

function readFileSafe(path: string): string {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return ''
  }
}

/** (b) The messages produced first, then ONE worker consumes them into PostgreSQL; timed until all are committed. */
async function benchKafka(ctx: BenchContext, db: Db): Promise<KafkaFigures> {
  // The thread loads this file through tsx's loader, as the main thread does.
  const entry = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((tsx) => { tsx.register(); return import(${JSON.stringify(import.meta.url)}) })`
  const brokerThread = new Worker(entry, { eval: true, workerData: { role: 'broker' } })
  const { brokers } = await new Promise<{ brokers: string[] }>((resolve) => brokerThread.once('message', resolve))
  const kafka = createKafka({ brokers, clientId: 'bench-producer' })
  await ensureTopics(kafka, [TOPICS.traffic, TOPICS.environment, TOPICS.events, TOPICS.deadletter], 3)
  const producer = await createKafkaProducer(kafka)
  const produceStart = performance.now()
  for (let i = 0; i < ctx.stream.size; i += BATCH) {
    await producer.send(ctx.stream.records(i, i + BATCH).map((r) => ({ topic: r.topic, key: r.key, value: r.value, timestamp: ctx.stream.timeAt(r.offset) })))
  }
  console.log(`    produced ${fmt(ctx.stream.size)} messages in ${((performance.now() - produceStart) / 1000).toFixed(1)} s`)
  const handled = async () => Number((await db.query<{ n: string | null }>('select sum(count)::int8 as n from quality')).rows[0]!.n ?? 0)
  const elu = performance.eventLoopUtilization()
  const brokerElu = brokerThread.performance.eventLoopUtilization()
  const postgresStart = await backendCpuMs(db)
  const t = performance.now()
  const worker = await startKafkaConsumer({
    db, kafka: createKafka({ brokers, clientId: 'bench-worker' }), deadLetters: producer, pubsub: createMemoryPubSub(),
    tree: ctx.tree, devices: ctx.devices, now: ctx.now, groupId: 'bench',
  })
  let first: { n: number, ms: number } | undefined
  let n = 0
  while (n < ctx.stream.size) {
    await sleep(100)
    n = await handled()
    first ??= n > 0 ? { n, ms: performance.now() } : undefined
  }
  const end = performance.now()
  const workerBusy = performance.eventLoopUtilization(elu).utilization
  const brokerBusy = brokerThread.performance.eventLoopUtilization(brokerElu).utilization
  let postgresMs = 0
  for (const [pid, ms] of await backendCpuMs(db)) {
    postgresMs += ms - (postgresStart.get(pid) ?? 0)
  }
  const postgresCpu = postgresMs / (end - t)
  const minuteCells = Number((await db.query<{ n: string }>('select count(*)::int8 as n from agg_1m_cells')).rows[0]!.n)
  await worker.stop()
  await producer.close()
  brokerThread.postMessage('stop')
  await new Promise((resolve) => brokerThread.once('exit', resolve))
  return {
    rate: rate(n - first!.n, end - first!.ms), overall: rate(n, end - t), seconds: (end - t) / 1000, workerBusy, brokerBusy, postgresCpu,
    minuteCellsPerMessage: minuteCells / ctx.stream.size,
  }
}

if (!isMainThread && (workerData as { role?: string } | null)?.role === 'broker') {
  // The test broker on a thread of its own, so it neither shares the worker's event loop nor hides its cost.
  const broker = await startKafkaBroker({ port: 0 })
  parentPort!.postMessage({ brokers: broker.brokers })
  parentPort!.once('message', () => void broker.stop().then(() => process.exit(0)))
} else if (isMainThread) {
  await main()
}
