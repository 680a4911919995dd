import { createReadStream } from 'node:fs'
import { resolve } from 'node:path'
import { createInterface } from 'node:readline'
import type { RegionTree } from '@city/metrics'
import type { Db, StreamRecord } from '@city/platform'
import { createPipeline, FILE_TOPIC_PREFIX } from '../pipeline/pipeline.js'
import type { RegisteredDevice } from '../pipeline/region-resolver.js'
import { commitBatch, loadCaseStates, loadOffsets, loadSeenIds, loadWatermark } from '../sinks/store.js'

export interface ReplayOptions {
  db: Db
  tree: RegionTree
  devices: readonly RegisteredDevice[]
  path: string
  timeZone?: string
  /** Records per committed batch. @default 20000 */
  batchRecords?: number
  /** @default 86400000 */
  allowedLatenessMs?: number
  /** @default 3600000 */
  dedupeWindowMs?: number
  now?: () => number
  onProgress?: (progress: ReplayProgress) => void
}

export interface ReplayProgress {
  /** Line the run started at (lines before it were committed by an earlier run). */
  resumedAt: number
  lines: number
  accepted: number
  /** Copies of messages already counted (within the dedupe window). */
  duplicates: number
  rejected: Record<string, number>
}

const CONSUMER = 'replay'

/**
 * Feeds an NDJSON file of wire messages through the ingest pipeline into the store. The file position
 * is stored like a consumer offset in the same transaction as the data, so an interrupted run (even
 * kill -9) resumes where its last commit ended, and a finished file adds nothing when replayed again.
 */
export async function replayFile(options: ReplayOptions): Promise<ReplayProgress> {
  const { db, tree, batchRecords = 20_000, timeZone = 'Asia/Shanghai' } = options
  const topic = `${FILE_TOPIC_PREFIX}${resolve(options.path)}`
  const storedOffset = (await loadOffsets(db, CONSUMER)).find((o) => o.topic === topic)?.nextOffset
  const stored = storedOffset ?? 0
  const readFrom = new Map<string, number>(storedOffset === undefined ? [] : [[`${topic}|0`, storedOffset]])
  const pipeline = createPipeline({
    tree, devices: options.devices, timeZone,
    ...(options.now ? { now: options.now } : {}),
    ...(options.allowedLatenessMs !== undefined ? { allowedLatenessMs: options.allowedLatenessMs } : {}),
    // A file is its own stream: lateness is measured against its watermark, so last month backfills.
    watermarkMs: (await loadWatermark(db, topic)) ?? -Infinity,
    loadCases: (ids) => loadCaseStates(db, ids),
    loadSeen: (ids) => loadSeenIds(db, ids),
  })
  const progress: ReplayProgress = { resumedAt: stored, lines: stored, accepted: 0, duplicates: 0, rejected: {} }
  let pending: StreamRecord[] = []

  const commit = async () => {
    await pipeline.handle(pending)
    pending = []
    const batch = pipeline.takeBatch()
    for (const [key, count] of batch.quality) {
      const reason = key.split('|')[2]!
      if (reason === 'accepted') {
        progress.accepted += count
      } else if (reason === 'duplicate') {
        progress.duplicates += count
      } else {
        progress.rejected[reason] = (progress.rejected[reason] ?? 0) + count
      }
    }
    const next = batch.offsets.get(`${topic}|0`)?.nextOffset
    await commitBatch(db, batch, {
      consumer: CONSUMER, stream: topic, tree, timeZone, readFrom,
      ...(options.dedupeWindowMs !== undefined ? { dedupeWindowMs: options.dedupeWindowMs } : {}),
    })
    pipeline.stored(batch)
    if (next !== undefined) {
      readFrom.set(`${topic}|0`, next)
    }
    options.onProgress?.(progress)
  }

  let offset = 0
  const lines = createInterface({ input: createReadStream(options.path, 'utf8'), crlfDelay: Infinity })
  for await (const line of lines) {
    const at = offset++
    if (at < stored || line.trim() === '') {
      continue
    }
    pending.push({ topic, partition: 0, offset: at, key: null, value: line })
    progress.lines = offset
    if (pending.length >= batchRecords) {
      await commit()
    }
  }
  await commit()
  return progress
}
