import type { RegionTree } from '@city/metrics'
import { COMMIT_CHANNEL, type CommitNotice, type Db, type PubSub, type StreamProducer } from '@city/platform'
import { recordCommit } from '../metrics.js'
import type { Batch } from '../pipeline/batch.js'
import { commitBatch, type CommitResult } from './store.js'

export interface CommitterOptions {
  db: Db
  pubsub: PubSub
  /** Where dead letters go: city.deadletter on Kafka or in the in-process log. */
  deadLetters: StreamProducer
  consumer: string
  tree: RegionTree
  timeZone: string
  dedupeWindowMs?: number
}

/**
 * Commits a batch the way every consumer does: dead letters out first (at least once), then data and
 * offsets in one transaction, then the commit notice for live screens. `readFrom` (stored offsets as
 * this consumer knows them) advances on success.
 */
export function createCommitter(options: CommitterOptions) {
  const { db, pubsub, deadLetters, consumer, tree, timeZone } = options
  return async (batch: Batch, readFrom: Map<string, number>): Promise<CommitResult | null> => {
    if (batch.isEmpty) {
      return null
    }
    const started = performance.now()
    const minuteFromMs = earliestMinute(batch)
    await deadLetters.send(batch.deadLetters)
    const result = await commitBatch(db, batch, {
      consumer, stream: consumer, tree, timeZone, readFrom,
      ...(options.dedupeWindowMs !== undefined ? { dedupeWindowMs: options.dedupeWindowMs } : {}),
    })
    for (const o of batch.offsets.values()) {
      readFrom.set(`${o.topic}|${o.partition}`, o.nextOffset)
    }
    recordCommit(batch, (performance.now() - started) / 1000)
    const notice: CommitNotice = { version: result.version, committedAt: result.committedAt, regions: result.regions, minuteFromMs }
    await pubsub.publish(COMMIT_CHANNEL, notice)
    return result
  }
}

/** The earliest minute bucket of the batch's leaf partials (every stored rollup derives from them), or null. */
function earliestMinute(batch: Batch): number | null {
  let earliest = Infinity
  for (let i = 0; i < batch.leaves.size; i++) {
    earliest = Math.min(earliest, batch.leaves.bucketOf(i))
  }
  return earliest === Infinity ? null : earliest
}
