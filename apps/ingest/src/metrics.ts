import { Counter, Gauge, Histogram } from 'prom-client'
import type { Batch } from './pipeline/batch.js'

// On prom-client's default registry: whichever process runs the ingest serves them on /metrics.
const messages = new Counter({ name: 'city_ingest_messages_total', help: 'Messages handled, by source and outcome (accepted, duplicate, or the reject reason)', labelNames: ['source', 'outcome'] })
const flushSeconds = new Histogram({ name: 'city_ingest_flush_seconds', help: 'Time to commit one batch', buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] })
const batchRecords = new Histogram({ name: 'city_ingest_batch_records', help: 'Records per committed batch', buckets: [1, 10, 100, 1000, 5000, 20000, 50000, 100000] })
const conflicts = new Counter({ name: 'city_ingest_offset_conflicts_total', help: 'Batches dropped because another consumer moved the offsets (rebalance)' })
const lag = new Gauge({ name: 'city_ingest_consumer_lag', help: 'Messages in the partition not yet committed', labelNames: ['topic', 'partition'] })

/** Counts a committed batch. */
export function recordCommit(batch: Batch, seconds: number): void {
  flushSeconds.observe(seconds)
  batchRecords.observe(batch.records)
  for (const [key, count] of batch.quality) {
    const [, source, reason] = key.split('|') as [string, string, string]
    messages.inc({ source, outcome: reason }, count)
  }
}

export function recordConflict(): void {
  conflicts.inc()
}

export function recordLag(topic: string, partition: number, messagesBehind: number): void {
  lag.set({ topic, partition: String(partition) }, Math.max(0, messagesBehind))
}

/** A new assignment (or a restart from the stored offsets): partitions this worker no longer reads must not go on reporting their last lag. A deployment runs one worker per process. */
export function forgetLag(): void {
  lag.reset()
}
