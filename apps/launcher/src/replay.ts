import { replayFile, type ReplayProgress } from '@city/ingest'
import { loadConfig } from './config.js'
import { loadCity, openStore } from './store.js'

/** pnpm replay <file.ndjson>: backfills the configured store from a file of wire messages. */
async function main(): Promise<void> {
  const path = process.argv[2]
  if (!path) {
    throw new Error('usage: pnpm replay <file.ndjson>')
  }
  // Replay is not a role: it shares only the store and city settings with `pnpm start`.
  const config = loadConfig({ ...process.env, ROLES: undefined })
  const { tree, devices } = loadCity(config)
  const { db, description } = await openStore(config)
  console.error(`[replay] ${path} → ${description}`)
  const started = performance.now()
  const print = (p: ReplayProgress) => {
    const rate = (p.lines - p.resumedAt) / ((performance.now() - started) / 1000)
    console.error(`[replay] line ${p.lines.toLocaleString('en')}  ${Math.round(rate).toLocaleString('en')} lines/s`)
  }
  const result = await replayFile({
    db, tree, devices, path, timeZone: config.TIME_ZONE, onProgress: print,
    allowedLatenessMs: config.ALLOWED_LATENESS_H * 3_600_000, dedupeWindowMs: config.DEDUPE_WINDOW_MIN * 60_000,
  })
  await db.close()
  if (result.resumedAt > 0) {
    console.log(`resumed at line ${result.resumedAt}`)
  }
  console.log(`accepted ${result.accepted}`)
  console.log(`duplicate ${result.duplicates}`)
  const reasons = Object.entries(result.rejected).sort()
  console.log(`rejected ${reasons.reduce((s, [, n]) => s + n, 0)}${reasons.map(([r, n]) => `\n  ${r} ${n}`).join('')}`)
}

main().catch((error: unknown) => {
  console.error('[replay] failed:', error instanceof Error ? error.message : error)
  process.exit(1)
})
