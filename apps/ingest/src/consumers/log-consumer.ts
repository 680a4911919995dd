import type { Db, MemoryLog, PubSub } from '@city/platform'
import { TOPICS, type SourceTopic } from '@city/metrics/wire'
import { createPipeline, type PipelineOptions } from '../pipeline/pipeline.js'
import { createCommitter } from '../sinks/committer.js'
import { loadCaseStates, loadOffsets, loadSeenIds, loadWatermark, type CommitResult } from '../sinks/store.js'

export interface LogConsumerOptions extends Omit<PipelineOptions, 'loadCases'> {
  db: Db
  log: MemoryLog
  pubsub: PubSub
  /** Consumer name the offsets are stored under. @default 'city-ingest' */
  consumer?: string
  /** @default 1000 */
  flushIntervalMs?: number
  /** Flush early when this many records are pending. @default 50000 */
  maxBatchRecords?: number
  /** Dead letters kept in the in-process log for inspection. @default 10000 */
  keepDeadLetters?: number
  /** @default 3600000 */
  dedupeWindowMs?: number
  onError?: (error: unknown) => void
}

const SOURCE_TOPICS: SourceTopic[] = [TOPICS.traffic, TOPICS.environment, TOPICS.events]
const READ_CHUNK = 5000

/**
 * Consumes the in-process log: read → pipeline → flush about once a second in one transaction with the
 * offsets → publish a commit notice. On a failed commit it rewinds to the stored offsets with a fresh
 * pipeline, so nothing is lost or counted twice.
 */
export async function startLogConsumer(options: LogConsumerOptions) {
  const { db, log, consumer = 'city-ingest', flushIntervalMs = 1000, maxBatchRecords = 50_000, keepDeadLetters = 10_000 } = options
  const newPipeline = async () => createPipeline({
    ...options,
    watermarkMs: (await loadWatermark(db, consumer)) ?? -Infinity,
    loadCases: (ids) => loadCaseStates(db, ids),
    loadSeen: (ids) => loadSeenIds(db, ids),
  })
  let pipeline = await newPipeline()
  const commit = createCommitter({ ...options, deadLetters: log, consumer, timeZone: options.timeZone ?? 'Asia/Shanghai' })
  const positions = new Map<string, number>()
  /** Stored offsets as last read or committed; absent where nothing is stored yet. */
  let committed = new Map<string, number>()
  let running = true
  let lastFlush = Date.now()
  let failures = 0
  let commits = 0

  async function rewind(): Promise<void> {
    const stored = await loadOffsets(db, consumer)
    committed = new Map(stored.map((o) => [`${o.topic}|${o.partition}`, o.nextOffset]))
    positions.clear()
    for (const topic of SOURCE_TOPICS) {
      for (let p = 0; p < log.partitions; p++) {
        const next = committed.get(`${topic}|${p}`) ?? 0
        log.resumeAt(topic, p, next)
        positions.set(`${topic}|${p}`, next)
      }
    }
  }

  async function flush(): Promise<CommitResult | null> {
    lastFlush = Date.now()
    const batch = pipeline.takeBatch()
    const result = await commit(batch, committed)
    pipeline.stored(batch)
    if (result === null) {
      return null
    }
    commits += 1
    for (const o of batch.offsets.values()) {
      log.trim(o.topic, o.partition, o.nextOffset)
    }
    trimDeadLetters()
    return result
  }

  function trimDeadLetters(): void {
    for (let p = 0; p < log.partitions; p++) {
      log.trim(TOPICS.deadletter, p, log.endOffset(TOPICS.deadletter, p) - keepDeadLetters)
    }
  }

  async function readOnce(): Promise<number> {
    let read = 0
    for (const topic of SOURCE_TOPICS) {
      for (let p = 0; p < log.partitions; p++) {
        const key = `${topic}|${p}`
        const records = log.read(topic, p, positions.get(key)!, READ_CHUNK)
        if (records.length > 0) {
          await pipeline.handle(records)
          positions.set(key, records[records.length - 1]!.offset + 1)
          read += records.length
        }
      }
    }
    return read
  }

  async function loop(): Promise<void> {
    while (running) {
      try {
        const read = await readOnce()
        if (Date.now() - lastFlush >= flushIntervalMs || pipeline.pending >= maxBatchRecords) {
          await flush()
          failures = 0
        }
        if (read === 0) {
          await log.waitForData(Math.max(10, flushIntervalMs - (Date.now() - lastFlush)))
        }
      } catch (error) {
        options.onError?.(error)
        failures += 1
        // Back off, then start over from what the database holds.
        await new Promise((r) => setTimeout(r, Math.min(30_000, 200 * 2 ** failures)))
        await rewind().then(async () => {
          pipeline = await newPipeline()
        }).catch((e: unknown) => options.onError?.(e))
      }
    }
  }

  await rewind()
  const done = loop()
  return {
    /** Commits what is pending now (tests and shutdown). */
    async flushNow(): Promise<CommitResult | null> {
      await readOnce()
      return flush()
    },
    /** Resolves when every record appended so far is committed. */
    async drain(): Promise<void> {
      for (;;) {
        const behind = SOURCE_TOPICS.some((t) => Array.from({ length: log.partitions }, (_, p) => p)
          .some((p) => (committed.get(`${t}|${p}`) ?? 0) < log.endOffset(t, p)))
        if (!behind) {
          return
        }
        await new Promise((r) => setTimeout(r, 20))
      }
    },
    stats: () => ({ commits, pending: pipeline.pending }),
    /** Stops reading, commits what is pending, and returns. */
    async stop(): Promise<void> {
      running = false
      await done
      await flush()
    },
  }
}

export type LogConsumer = Awaited<ReturnType<typeof startLogConsumer>>
