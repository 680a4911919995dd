import { fileURLToPath } from 'node:url'
import { buildApp, listen } from '@city/api'
import { startSimulator } from '@city/demo-city'
import { loadFirstCaseReport, loadWatermark, startLogConsumer } from '@city/ingest'
import { createMemoryPubSub, MemoryLog, pruneExpired } from '@city/platform'
import { loadConfig } from './config.js'
import { loadCity, openStore, retentionOf } from './store.js'

const CONSUMER = 'city-ingest'
const PRUNE_EVERY_MS = 3_600_000

const COCKPIT_DIR = fileURLToPath(new URL('../../cockpit/dist', import.meta.url))

/** Composition root: one process runs the roles in ROLES with the adapters the environment selects. */
async function main(): Promise<void> {
  const config = loadConfig(process.env)
  const log = (message: string) => console.log(`[city] ${message}`)
  const { tree, devices } = loadCity(config)
  const { db, description } = await openStore(config)
  log(`store: ${description}`)
  const stream = new MemoryLog({ partitions: 3 })
  const pubsub = createMemoryPubSub()

  const consumer = config.roles.has('ingest')
    ? await startLogConsumer({
      db, log: stream, pubsub, tree, devices, consumer: CONSUMER, timeZone: config.TIME_ZONE, flushIntervalMs: config.FLUSH_INTERVAL_MS,
      allowedLatenessMs: config.ALLOWED_LATENESS_H * 3_600_000, maxSkewMs: config.MAX_CLOCK_SKEW_S * 1000,
      dedupeWindowMs: config.DEDUPE_WINDOW_MIN * 60_000,
      onError: (error) => console.error('[city] ingest error, rewinding to stored offsets:', error),
    })
    : undefined

  // Retention on engines without background jobs (TimescaleDB drops chunks by policy itself).
  const pruner = consumer ? setInterval(() => void pruneExpired(db, Date.now(), retentionOf(config)).catch(() => undefined), PRUNE_EVERY_MS) : undefined
  const watermark = await loadWatermark(db, CONSUMER)
  const startMs = Math.max(Date.now() - config.SIM_BACKFILL_MINUTES * 60_000, (watermark ?? 0) + 1)
  // Work orders open at a restart carry on: the generator replays case plans since the first stored one
  // (bounded to a week) and sends only their stages from startMs on.
  const firstCase = await loadFirstCaseReport(db)
  const simulator = config.roles.has('simulator')
    ? startSimulator({
      devices, regions: tree, seed: config.SIM_SEED, speed: config.SIM_SPEED, reportIntervalS: config.SIM_REPORT_INTERVAL_S,
      casesPerHour: config.SIM_CASES_PER_HOUR, badShare: config.SIM_BAD_SHARE, timeZone: config.TIME_ZONE,
      // Resume after what is stored, so a restart neither repeats nor skips simulated time.
      startMs,
      casesSinceMs: firstCase === null ? startMs : Math.max(firstCase, startMs - 7 * 86_400_000),
      emit: (m) => stream.append({ topic: m.topic, key: m.key, value: m.value }),
    })
    : undefined

  const app = config.roles.has('api')
    ? await buildApp({
      context: { db, pubsub, tree, timeZone: config.TIME_ZONE, staleAfterMs: config.STALE_AFTER_S * 1000, now: Date.now },
      cockpitDir: COCKPIT_DIR,
      logger: { level: config.LOG_LEVEL },
    })
    : undefined
  if (app) {
    await listen(app, config.PORT, config.HOST)
    log(`城市运行数字驾驶舱 cockpit: http://localhost:${config.PORT}/  (API under /api/v1)`)
  }
  log(`roles: ${[...config.roles].join(', ')}`)

  let stopping = false
  const shutdown = async (signal: string) => {
    if (stopping) {
      return
    }
    stopping = true
    log(`${signal}: stopping`)
    simulator?.stop()
    clearInterval(pruner)
    await app?.close()
    await consumer?.stop()
    await db.close()
    process.exit(0)
  }
  process.on('SIGINT', () => void shutdown('SIGINT'))
  process.on('SIGTERM', () => void shutdown('SIGTERM'))
}

main().catch((error: unknown) => {
  console.error('[city] failed to start:', error instanceof Error ? error.message : error)
  process.exit(1)
})
