/**
 * Live fan-out on loopback: two API node processes (`pnpm start` with ROLES=api) on PostgreSQL and a
 * private redis-server; the ingest runs here, fed by the demo city's devices reporting every second (every
 * region changes about once a second) and committing about once a second. N socket.io clients in worker
 * processes, each subscribed to one region, alternate between the nodes. Per step: p50/p99 latency from
 * the ingest's commit and from the message's production to the client's receipt, updates delivered, and
 * CPU/memory per node from its /metrics.
 *
 * Usage: pnpm --filter @city/bench fanout [--clients 500,1000,2000,5000] [--seconds 20] [--rooms city|districts|upper|all]
 *   rooms: city = 1; districts = the city and its districts (5); upper = also the streets (25, default);
 *   all = also the communities (155).
 */
import { fork, spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { createServer, connect as connectTcp } from 'node:net'
import { cpus, loadavg, totalmem } from 'node:os'
import { fileURLToPath } from 'node:url'
import { createStreamGenerator, loadDemoCity } from '@city/demo-city'
import { startLogConsumer } from '@city/ingest'
import { loadRegionTree, type RegionTree } from '@city/metrics'
import type { RegionSnapshot } from '@city/metrics/wire'
import { COMMIT_CHANNEL, createRedisPubSub, MemoryLog, migrate, openPostgresDb, type CommitNotice, type PubSub } from '@city/platform'
import type { UpdateRecord, WorkerConfig, WorkerMessage } from './fanout-clients.js'

const ROOT = fileURLToPath(new URL('../', import.meta.url))
const ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const WORKERS = 2
const WARMUP_MS = 8000

const args = process.argv.slice(2)
const arg = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`)
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback
}
const steps = arg('clients', '500,1000,2000,5000').split(',').map(Number)
const seconds = Number(arg('seconds', '20'))
const roomSet = arg('rooms', 'upper')

const DEPTHS: Record<string, number> = { city: 0, districts: 1, upper: 2, all: 3 }
const { regions: cityRegions, devices } = loadDemoCity()
const tree = loadRegionTree(cityRegions)
const rooms = roomsOf(tree, roomSet)

function roomsOf(t: RegionTree, set: string): string[] {
  const depth = DEPTHS[set]
  if (depth === undefined) {
    throw new Error(`--rooms must be one of ${Object.keys(DEPTHS).join(', ')}`)
  }
  const out: string[] = []
  const walk = (id: string, level: number) => {
    out.push(id)
    if (level < depth) {
      t.children(id).forEach((c) => walk(c.id, level + 1))
    }
  }
  walk(t.root.id, 0)
  return out
}

const percentile = (sorted: number[], p: number) => sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]! : NaN
const ms = (v: number) => (Number.isFinite(v) ? `${Math.round(v)}` : '–')
const mb = (v: number) => `${Math.round(v / 1e6)}`
const sleep = (t: number) => new Promise((r) => setTimeout(r, t))

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 60_000) {
  const start = Date.now()
  while (!(await check().catch(() => false))) {
    if (Date.now() - start > timeoutMs) {
      throw new Error(`${what} not ready after ${timeoutMs} ms`)
    }
    await sleep(100)
  }
}

const children: ChildProcess[] = []
function track(child: ChildProcess): ChildProcess {
  children.push(child)
  return child
}

async function startRedis(): Promise<string> {
  const port = await freePort()
  track(spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' }))
  await until('redis-server', () => new Promise((resolve) => {
    const socket = connectTcp(port, '127.0.0.1', () => socket.write('PING\r\n'))
    socket.once('data', (d) => {
      socket.destroy()
      resolve(d.toString().startsWith('+PONG'))
    })
    socket.once('error', () => resolve(false))
  }))
  return `redis://127.0.0.1:${port}`
}

async function startApiNode(env: Record<string, string>): Promise<number> {
  const port = await freePort()
  const child = track(spawn(process.execPath, ['--import', 'tsx', 'apps/launcher/src/main.ts'], {
    cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, ...env, ROLES: 'api', PORT: String(port), HOST: '127.0.0.1', METRICS_PORT: String(await freePort()), LOG_LEVEL: 'warn' },
  }))
  await until(`API node on ${port}`, async () => child.exitCode === null && (await fetch(`http://127.0.0.1:${port}/readyz`)).ok)
  return port
}

/** The numbers a node's /metrics gives: CPU seconds, RSS, heap, clients, lead, messages and bytes sent. */
async function scrape(port: number) {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()
  const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN)
  return {
    at: Date.now(),
    cpuS: value('process_cpu_seconds_total'), rss: value('process_resident_memory_bytes'), heap: value('nodejs_heap_size_used_bytes'),
    clients: value('city_live_connected_clients'), leader: value('city_live_publisher_leader'),
    messages: value('city_live_messages_sent_total'), bytes: value('city_live_bytes_sent_total'), dropped: value('city_live_updates_dropped_total'),
    roundS: value('city_live_snapshot_round_seconds_sum'), rounds: value('city_live_snapshot_round_seconds_count'),
  }
}

/**
 * Ingest here: records when each version's commit notice went out, when each event time was produced, and
 * when each snapshot the leader published came by on the update channel (as every node hears it).
 */
async function startIngest(databaseUrl: string, redisUrl: string) {
  const db = await openPostgresDb({ url: databaseUrl, poolSize: 4 })
  const log = new MemoryLog({ partitions: 3 })
  const redis = createRedisPubSub(redisUrl)
  const committedAt = new Map<number, number>()
  const publishedAt = new Map<string, number>()
  /** [published at, ms from the computation's start (asOf) to its publication] of every publication. */
  const computations: [number, number][] = []
  redis.subscribe('city:update', (m) => {
    const s = (m as { snapshot: RegionSnapshot }).snapshot
    const now = Date.now()
    publishedAt.set(`${s.region}|${s.version}|${Date.parse(s.asOf)}`, now)
    computations.push([now, now - Date.parse(s.asOf)])
  })
  const pubsub: PubSub = {
    ...redis,
    async publish(channel, message) {
      if (channel === COMMIT_CHANNEL) {
        committedAt.set((message as CommitNotice).version, Date.now())
      }
      await redis.publish(channel, message)
    },
  }
  const consumer = await startLogConsumer({ db, log, pubsub, tree, devices, flushIntervalMs: 1000 })
  const append = (messages: { topic: string, key: string, value: string }[]) => messages.forEach((m) => log.append(m))

  // An hour of history at the simulator's usual pace, so snapshots merge full windows, then live.
  const startMs = Date.now()
  append(createStreamGenerator({ devices, regions: tree, seed: 5, badShare: 0, reportIntervalS: 30 }).generate(startMs - 3_600_000, startMs))
  await consumer.drain()
  const live = createStreamGenerator({ devices, regions: tree, seed: 6, badShare: 0, reportIntervalS: 1, casesPerHour: 240 })
  const producedAt = new Map<number, number>()
  let cursor = startMs
  const producer = setInterval(() => {
    const now = Date.now()
    const batch = live.generate(cursor, now)
    cursor = now
    for (const m of batch) {
      producedAt.set(Date.parse((JSON.parse(m.value) as { ts: string }).ts), now)
    }
    append(batch)
  }, 50)
  return {
    committedAt, producedAt, publishedAt, computations,
    async stop() {
      clearInterval(producer)
      await consumer.stop()
      await redis.close()
      await db.close()
    },
  }
}

interface StepResult {
  clients: number
  connectS: number
  updatesPerS: number
  commitP50: number
  commitP99: number
  producedP50: number
  producedP99: number
  computeP50: number
  leaderP50: number
  leaderP99: number
  publishedP50: number
  publishedP99: number
  nodes: { leader: boolean, cpuPct: number, rssMb: string, heapMb: string, mbPerS: number, kbPerMessage: number, dropped: number }[]
  /** The leader's snapshot rounds: mean ms and rounds per second. */
  roundMs: number
  roundsPerS: number
  clientCpuPct: number
  /** 1-minute load average at the start and the end of the measured window. */
  load: [number, number]
}

async function runStep(n: number, ports: number[], ingest: Awaited<ReturnType<typeof startIngest>>): Promise<StepResult> {
  const started = Date.now()
  const workers = Array.from({ length: WORKERS }, (_, w) => {
    const config: WorkerConfig = { ports, from: Math.floor((w * n) / WORKERS), to: Math.floor(((w + 1) * n) / WORKERS), regions: rooms }
    return track(fork(fileURLToPath(new URL('./fanout-clients.ts', import.meta.url)), [JSON.stringify(config)], { execArgv: ['--import', 'tsx'] }))
  })
  const next = (worker: ChildProcess, type: WorkerMessage['type']) => new Promise<WorkerMessage>((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`client worker exited (${code}) before '${type}'`))
    const on = (m: WorkerMessage) => {
      if (m.type === type) {
        worker.off('message', on)
        worker.off('exit', onExit)
        resolve(m)
      }
    }
    worker.on('message', on)
    worker.once('exit', onExit)
  })
  await Promise.all(workers.map((w) => next(w, 'ready')))
  const connectS = (Date.now() - started) / 1000
  await sleep(WARMUP_MS)
  const before = await Promise.all(ports.map(scrape))
  const loadBefore = loadavg()[0]!
  workers.forEach((w) => w.send({ type: 'start' }))
  const windowStart = Date.now()
  await sleep(seconds * 1000)
  const after = await Promise.all(ports.map(scrape))
  const loadAfter = loadavg()[0]!
  const leader = ingest.computations.filter(([at]) => at >= windowStart && at <= windowStart + seconds * 1000).map(([, ms]) => ms).sort((a, b) => a - b)
  const results = await Promise.all(workers.map(async (w) => {
    const done = next(w, 'records')
    w.send({ type: 'stop' })
    return (await done) as Extract<WorkerMessage, { type: 'records' }>
  }))
  const windowS = (Date.now() - windowStart) / 1000
  const records: UpdateRecord[] = results.flatMap((r) => r.records)
  const fromCommit: number[] = []
  const fromProduction: number[] = []
  const fromAsOf: number[] = []
  const fromPublish: number[] = []
  for (const [receivedAt, version, eventTime, asOf, region] of records) {
    const published = ingest.publishedAt.get(`${rooms[region]}|${version}|${asOf}`)
    if (published !== undefined) {
      fromPublish.push(receivedAt - published)
    }
    const commit = ingest.committedAt.get(version)
    if (commit !== undefined) {
      fromCommit.push(receivedAt - commit)
    }
    const produced = ingest.producedAt.get(eventTime)
    if (produced !== undefined) {
      fromProduction.push(receivedAt - produced)
    }
    fromAsOf.push(receivedAt - asOf)
  }
  ;[fromCommit, fromProduction, fromAsOf, fromPublish].forEach((xs) => xs.sort((a, b) => a - b))
  await Promise.all(workers.map((w) => new Promise((resolve) => (w.exitCode === null ? w.once('exit', resolve) : resolve(null)))))
  await until('clients gone', async () => (await Promise.all(ports.map(scrape))).every((s) => s.clients === 0), 30_000)
  return {
    clients: n,
    connectS,
    updatesPerS: records.length / windowS,
    commitP50: percentile(fromCommit, 0.5), commitP99: percentile(fromCommit, 0.99),
    producedP50: percentile(fromProduction, 0.5), producedP99: percentile(fromProduction, 0.99),
    computeP50: percentile(fromAsOf, 0.5),
    leaderP50: percentile(leader, 0.5), leaderP99: percentile(leader, 0.99),
    publishedP50: percentile(fromPublish, 0.5), publishedP99: percentile(fromPublish, 0.99),
    nodes: ports.map((_, i) => {
      const [b, a] = [before[i]!, after[i]!]
      const s = (a.at - b.at) / 1000
      return {
        leader: a.leader === 1, cpuPct: (100 * (a.cpuS - b.cpuS)) / s, rssMb: mb(a.rss), heapMb: mb(a.heap),
        mbPerS: (a.bytes - b.bytes) / s / 1e6, kbPerMessage: (a.bytes - b.bytes) / (a.messages - b.messages) / 1e3, dropped: a.dropped - b.dropped,
      }
    }),
    clientCpuPct: (100 * results.reduce((sum, r) => sum + r.cpuMs, 0)) / 1000 / windowS,
    load: [loadBefore, loadAfter],
    ...leaderRounds(before, after),
  }
}

/** Rounds the leader computed between two scrapes (summed over nodes: the lead may move). */
function leaderRounds(before: Awaited<ReturnType<typeof scrape>>[], after: Awaited<ReturnType<typeof scrape>>[]) {
  const rounds = after.reduce((n, a, i) => n + a.rounds - before[i]!.rounds, 0)
  const seconds = after.reduce((n, a, i) => n + a.roundS - before[i]!.roundS, 0)
  return { roundMs: (1000 * seconds) / rounds, roundsPerS: rounds / ((after[0]!.at - before[0]!.at) / 1000) }
}

async function main() {
  const name = `city_bench_${randomBytes(4).toString('hex')}`
  const admin = await openPostgresDb({ url: ADMIN_URL, poolSize: 1 })
  await admin.query(`create database ${name}`)
  const url = new URL(ADMIN_URL)
  url.pathname = `/${name}`
  const databaseUrl = url.toString()
  let ingest: Awaited<ReturnType<typeof startIngest>> | undefined
  try {
    const db = await openPostgresDb({ url: databaseUrl, poolSize: 1 })
    await migrate(db)
    await db.close()
    const redisUrl = await startRedis()
    const env = { DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, MAX_CLIENTS_PER_NODE: '6000', DATABASE_POOL_SIZE: '8' }
    const ports = await Promise.all([startApiNode(env), startApiNode(env)])
    ingest = await startIngest(databaseUrl, redisUrl)
    console.log(`fan-out: ${rooms.length} rooms (${roomSet}), ${seconds} s per step after ${WARMUP_MS / 1000} s warm-up; 2 API nodes, ingest and ${WORKERS} client workers on`
      + ` ${cpus().length}× ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 1e9)} GB, node ${process.version}, PostgreSQL + redis-server on the same machine`)
    console.log('clients | connect s | updates/s | commit→client p50/p99 ms | produced→client p50/p99 ms | published→client p50/p99 ms | asOf→client p50 ms'
      + ' | asOf→published p50/p99 ms | leader rounds/s, mean ms | node CPU % (leader*) | node RSS/heap MB | MB/s sent (kB/message) | dropped | client workers CPU % | load avg (1 min) start–end')
    for (const n of steps) {
      const r = await runStep(n, ports, ingest)
      const nodes = (f: (x: StepResult['nodes'][number]) => string) => r.nodes.map(f).join(' / ')
      console.log([
        r.clients, r.connectS.toFixed(1), Math.round(r.updatesPerS), `${ms(r.commitP50)} / ${ms(r.commitP99)}`, `${ms(r.producedP50)} / ${ms(r.producedP99)}`,
        `${ms(r.publishedP50)} / ${ms(r.publishedP99)}`, ms(r.computeP50), `${ms(r.leaderP50)} / ${ms(r.leaderP99)}`, `${r.roundsPerS.toFixed(1)}, ${ms(r.roundMs)}`,
        nodes((x) => `${Math.round(x.cpuPct)}${x.leader ? '*' : ''}`), nodes((x) => `${x.rssMb}/${x.heapMb}`),
        nodes((x) => `${x.mbPerS.toFixed(1)} (${x.kbPerMessage.toFixed(1)})`), nodes((x) => String(x.dropped)), Math.round(r.clientCpuPct), r.load.map((l) => l.toFixed(1)).join('–'),
      ].join(' | '))
    }
  } finally {
    await ingest?.stop().catch(() => undefined)
    children.forEach((c) => c.kill('SIGKILL'))
    await sleep(500)
    await admin.query(`drop database if exists ${name} with (force)`).catch(() => undefined)
    await admin.close()
  }
}

await main()
process.exit(0)
