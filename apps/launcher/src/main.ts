import { fileURLToPath } from 'node:url'
import { buildApp, listen } from '@city/api'
import { startSimulator, type Device } from '@city/demo-city'
import { loadFirstCaseReport, loadWatermark } from '@city/ingest'
import type { RegionTree } from '@city/metrics'
import { pruneExpired, type Db } from '@city/platform'
import { loadConfig, type Config } from './config.js'
import { liveOptionsOf, openPubSub } from './live.js'
import { loadCity, openStore, retentionOf } from './store.js'
import { createEmitter, openStream, serveMetrics, startIngestRole, type StreamSetup } from './stream.js'

const PRUNE_EVERY_MS = 3_600_000
const COCKPIT_DIR = fileURLToPath(new URL('../../cockpit/dist', import.meta.url))

/** Composition root: one process runs the roles in ROLES with the adapters the environment selects. */
async function main(): Promise<void> {
  const config = loadConfig(process.env)
  const log = (message: string) => console.log(`[city] ${message}`)
  const onError = (what: string) => (error: unknown) => console.error(`[city] ${what}:`, error)
  const { tree, devices } = loadCity(config)
  // A simulator alone on Kafka needs no database (it only resumes from one when there is one).
  const needsStore = config.roles.has('ingest') || config.roles.has('api') || config.DATABASE_URL !== undefined
  const store = needsStore ? await openStore(config) : undefined
  const db = store?.db
  if (store) {
    log(`store: ${store.description}`)
  }
  const stream = await openStream(config, `${config.KAFKA_CLIENT_ID}-${[...config.roles].join('-')}`)
  log(`stream: ${config.KAFKA_BROKERS ? `Kafka ${config.KAFKA_BROKERS}` : 'in-process log'}`)
  const pubsub = openPubSub(config, log)
  // Without the API, a worker still answers Prometheus; listening first, so a taken port stops it before it joins its group.
  const metrics = config.roles.has('api') ? undefined : await serveMetrics(config.METRICS_PORT, config.HOST)

  const ingest = config.roles.has('ingest')
    ? await startIngestRole(config, { db: db!, pubsub, stream, tree, devices }, onError('ingest error, restarting from the stored offsets'))
    : undefined
  // Retention on engines without background jobs (TimescaleDB drops chunks by policy itself).
  const pruner = ingest ? setInterval(() => void pruneExpired(db!, Date.now(), retentionOf(config)).catch(onError('prune')), PRUNE_EVERY_MS) : undefined
  const simulator = config.roles.has('simulator') ? await startSimulatorRole(config, { db, stream, tree, devices }, onError('publish')) : undefined

  const app = config.roles.has('api')
    ? await buildApp({
      context: { db: db!, pubsub, tree, timeZone: config.TIME_ZONE, staleAfterMs: config.STALE_AFTER_S * 1000, now: Date.now },
      cockpitDir: COCKPIT_DIR,
      live: liveOptionsOf(config),
      logger: { level: config.LOG_LEVEL },
    })
    : undefined
  if (app) {
    await listen(app, config.PORT, config.HOST)
    log(`城市运行数字驾驶舱 cockpit: http://localhost:${config.PORT}/  (API under /api/v1, metrics at /metrics)`)
  }
  log(`roles: ${[...config.roles].join(', ')}`)

  let stopping = false
  const shutdown = async (signal: string) => {
    if (stopping) {
      return
    }
    stopping = true
    log(`${signal}: stopping`)
    await simulator?.stop()
    clearInterval(pruner)
    metrics?.close()
    await app?.close()
    await ingest?.stop()
    await stream.close()
    await pubsub.close()
    await db?.close()
    process.exit(0)
  }
  process.on('SIGINT', () => void shutdown('SIGINT'))
  process.on('SIGTERM', () => void shutdown('SIGTERM'))
}

/**
 * The demo city's stream. With a store it resumes after what is stored, so a restart neither repeats nor
 * skips simulated time, and work orders open at the restart carry on (case plans are replayed from the
 * first stored one, bounded to a week; only their stages from the start on are sent).
 */
async function startSimulatorRole(config: Config, deps: { db: Db | undefined, stream: StreamSetup, tree: RegionTree, devices: Device[] }, onError: (error: unknown) => void) {
  const watermark = deps.db ? await loadWatermark(deps.db, config.KAFKA_GROUP) : null
  const firstCase = deps.db ? await loadFirstCaseReport(deps.db) : null
  const startMs = Math.max(Date.now() - config.SIM_BACKFILL_MINUTES * 60_000, (watermark ?? 0) + 1)
  const emitter = createEmitter(deps.stream.producer, onError)
  const simulator = startSimulator({
    devices: deps.devices, regions: deps.tree, seed: config.SIM_SEED, speed: config.SIM_SPEED, reportIntervalS: config.SIM_REPORT_INTERVAL_S,
    casesPerHour: config.SIM_CASES_PER_HOUR, badShare: config.SIM_BAD_SHARE, timeZone: config.TIME_ZONE, startMs,
    casesSinceMs: firstCase === null ? startMs : Math.max(firstCase, startMs - 7 * 86_400_000),
    emit: (m) => emitter.emit({ topic: m.topic, key: m.key, value: m.value, timestamp: m.atMs }),
  })
  return {
    async stop(): Promise<void> {
      simulator.stop()
      await emitter.close()
    },
  }
}

main().catch((error: unknown) => {
  console.error('[city] failed to start:', error instanceof Error ? error.message : error)
  process.exit(1)
})
