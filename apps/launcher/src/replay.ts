import { createReadStream } from 'node:fs'
import { createInterface } from 'node:readline'
import { replayFile, type ReplayProgress } from '@city/ingest'
import { parseTime, TOPICS, type SourceTopic } from '@city/metrics/wire'
import type { ProducedMessage } from '@city/platform'
import { loadConfig, type Config } from './config.js'
import { loadCity, openStore } from './store.js'
import { openStream } from './stream.js'

/**
 * pnpm replay <file.ndjson>            backfills the configured store from a file of wire messages
 * pnpm replay --publish <file.ndjson>  publishes the file to Kafka (KAFKA_BROKERS) for the workers
 */
async function main(): Promise<void> {
  const args = process.argv.slice(2)
  const publish = args.includes('--publish')
  const path = args.find((a) => !a.startsWith('--'))
  if (!path) {
    throw new Error('usage: pnpm replay [--publish] <file.ndjson>')
  }
  // Replay is not a role: it shares only the store, stream and city settings with `pnpm start`.
  const config = loadConfig({ ...process.env, ROLES: undefined })
  if (publish) {
    await publishFile(config, path)
  } else {
    await replayIntoStore(config, path)
  }
}

async function replayIntoStore(config: Config, path: string): Promise<void> {
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

const TOPIC_OF: Record<string, SourceTopic> = { traffic: TOPICS.traffic, environment: TOPICS.environment, events: TOPICS.events }

/** Each line goes to its source's topic, keyed by device or case; lines that are not wire JSON go to the dead letters. */
async function publishFile(config: Config, path: string): Promise<void> {
  if (!config.KAFKA_BROKERS) {
    throw new Error('--publish needs KAFKA_BROKERS')
  }
  const stream = await openStream(config, 'city-replay')
  const counts: Record<string, number> = {}
  let chunk: ProducedMessage[] = []
  for await (const line of createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity })) {
    if (line.trim() === '') {
      continue
    }
    const message = routeOf(line)
    counts[message.topic] = (counts[message.topic] ?? 0) + 1
    chunk.push(message)
    if (chunk.length >= 5000) {
      await stream.producer.send(chunk)
      chunk = []
    }
  }
  await stream.producer.send(chunk)
  await stream.close()
  console.log(Object.entries(counts).map(([t, n]) => `${t} ${n}`).join('\n'))
}

/**
 * The line's source topic, key and event time (the record's timestamp, by which workers read partitions
 * in step); a line with no known source cannot be routed and is dead-lettered here.
 */
function routeOf(line: string): ProducedMessage {
  let m: { source?: unknown, device?: unknown, case?: unknown, ts?: unknown }
  try {
    m = JSON.parse(line) as typeof m
  } catch (error) {
    return { topic: TOPICS.deadletter, key: null, value: line, headers: { reason: 'invalid_json', detail: (error as Error).message, topic: 'replay' } }
  }
  const topic = TOPIC_OF[String(m?.source)]
  if (!topic) {
    return { topic: TOPICS.deadletter, key: null, value: line, headers: { reason: 'schema', detail: 'source must be traffic, environment or events', topic: 'replay' } }
  }
  const key = [m.case, m.device].find((k): k is string => typeof k === 'string') ?? null
  const tsMs = typeof m.ts === 'string' ? parseTime(m.ts) : null
  return { topic, key, value: line, ...(tsMs === null ? {} : { timestamp: tsMs }) }
}

main().catch((error: unknown) => {
  console.error('[replay] failed:', error instanceof Error ? error.message : error)
  process.exit(1)
})
