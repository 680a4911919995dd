import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs'
import { TOPICS } from '@city/metrics/wire'
import type { Db, PubSub, StreamProducer, StreamRecord } from '@city/platform'
import { forgetLag, recordConflict, recordLag } from '../metrics.js'
import { createPipeline, type Pipeline, type PipelineOptions } from '../pipeline/pipeline.js'
import { createCommitter } from '../sinks/committer.js'
import { loadCaseStates, loadOffsets, loadSeenIds, loadWatermark } from '../sinks/store.js'
import { InStepBuffer, type TakeMode } from './in-step.js'

export interface KafkaConsumerOptions extends Omit<PipelineOptions, 'loadCases' | 'loadSeen' | 'watermarkMs'> {
  db: Db
  kafka: Kafka
  /** Dead letters go here (a Kafka producer). */
  deadLetters: StreamProducer
  pubsub: PubSub
  /** Consumer group; offsets are stored under it. @default 'city-ingest' */
  groupId?: string
  /** Prefix of the source topics. @default 'city.' */
  topicPrefix?: string
  /** @default 1000 */
  flushIntervalMs?: number
  /** Commit early when this many records are pending; fetching pauses while this many wait to be folded. @default 50000 */
  maxBatchRecords?: number
  dedupeWindowMs?: number
  /** How far past the slowest partition still being fetched (by record timestamp) records are handed on. @default 60000 */
  inStepSlackMs?: number
  onError?: (error: unknown) => void
}

const key = (topic: string, partition: number) => `${topic}|${partition}`
const CANONICAL_PREFIX = 'city.'

/**
 * The production source: a kafkajs consumer group feeding the aggregation core. Offsets live in the
 * database, committed with the aggregates; on every assignment the worker seeks to them, and a batch
 * whose offsets another worker moved meanwhile is dropped whole (compare-and-set), so rebalances, kills
 * and redelivery never count a message twice or lose one. Kafka's own group offsets are committed after
 * the database, for lag monitoring only.
 */
export async function startKafkaConsumer(options: KafkaConsumerOptions) {
  const { db, kafka, groupId = 'city-ingest', topicPrefix = 'city.', flushIntervalMs = 1000, maxBatchRecords = 50_000, inStepSlackMs = 60_000 } = options
  // The pipeline, the stored offsets and dead letters speak canonical names (city.traffic, …); only the
  // conversation with Kafka uses the deployment's prefix.
  const toKafka = (topic: string) => `${topicPrefix}${topic.slice(CANONICAL_PREFIX.length)}`
  const fromKafka = (topic: string) => `${CANONICAL_PREFIX}${topic.slice(topicPrefix.length)}`
  const topics = [TOPICS.traffic, TOPICS.environment, TOPICS.events].map(toKafka)
  // A fetch fills partitions in the order asked, up to maxBytes in all: kafkajs's 10 MB left the last of
  // nine partitions with nothing while the first ran ahead. 50 MB is the Java consumer's fetch.max.bytes.
  const consumer: Consumer = kafka.consumer({ groupId, sessionTimeout: 20_000, heartbeatInterval: 2_000, maxBytesPerPartition: 2 * 1024 * 1024, maxBytes: 50 * 1024 * 1024 })
  const commit = createCommitter({ ...options, consumer: groupId, timeZone: options.timeZone ?? 'Asia/Shanghai' })
  /** Reads the partitions' high watermarks after an assignment (see reportLagOfAssigned). */
  const admin = kafka.admin()
  /** Counts assignments: a lag read for an earlier one is not reported. */
  let assignments = 0
  /** Stored offsets of the assigned partitions, as this worker last read or committed them. */
  let readFrom = new Map<string, number>()
  /** Next offset to hand to the pipeline, per partition: skips what an earlier fetch already gave. */
  const positions = new Map<string, number>()
  let assigned: { topic: string, partition: number }[] = []
  let pipeline: Pipeline = await newPipeline()
  let lastFlush = Date.now()
  let queue: Promise<unknown> = Promise.resolve()
  /** The commit running in the background, if any: true when it succeeded. */
  let inFlight: Promise<boolean> | undefined
  let committing = false
  /**
   * stop() was called: no more records are taken, and a failed commit no longer rewinds (whoever is
   * assigned the partitions next reads from the stored offsets).
   */
  let leaving = false
  /** Records kafkajs has handed over that the pipeline has not folded yet (held or being folded). */
  let unfolded = 0
  let wakeFetch: (() => void) | undefined
  /** Fetched records waiting to be folded in step with the other partitions. */
  const held = new InStepBuffer(inStepSlackMs, flushIntervalMs)
  let lastTakenMs = Date.now()
  let foldQueued = false
  /** Partitions not fetched for now: far ahead of the others in time, with plenty held (see pauseAhead). */
  const pausedAhead = new Set<string>()
  const maxHeldAhead = Math.ceil(maxBatchRecords / 5)

  async function newPipeline(): Promise<Pipeline> {
    return createPipeline({
      ...options,
      watermarkMs: (await loadWatermark(db, groupId)) ?? -Infinity,
      loadCases: (ids) => loadCaseStates(db, ids),
      loadSeen: (ids) => loadSeenIds(db, ids),
    })
  }

  /** One thing at a time: batches, timed flushes and rebalances all touch the same pipeline. */
  function serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = queue.then(fn, fn)
    queue = run.catch(() => undefined)
    return run
  }

  /** Drops uncommitted work and starts over from the offsets the database holds. */
  async function restart(): Promise<void> {
    await inFlight
    inFlight = undefined
    if (leaving) {
      return
    }
    pipeline = await newPipeline()
    const stored = await loadOffsets(db, groupId)
    readFrom = new Map(stored.filter((o) => assigned.some((a) => a.topic === o.topic && a.partition === o.partition))
      .map((o) => [key(o.topic, o.partition), o.nextOffset]))
    positions.clear()
    forgetLag()
    void reportLagOfAssigned(++assignments)
    unfolded -= held.size
    held.clear()
    held.expect(assigned.map((a) => key(a.topic, a.partition)))
    lastTakenMs = Date.now()
    pauseAhead() // nothing is held now: resumes every partition paused
    wakeFetch?.()
    // A partition with no stored offset is read from its beginning, as the group subscribes: kafkajs's
    // own position there may be past records this worker folded but never committed.
    for (const { topic, partition } of assigned) {
      const offset = readFrom.get(key(topic, partition)) ?? 0
      positions.set(key(topic, partition), offset)
      consumer.seek({ topic: toKafka(topic), partition, offset: String(offset) })
    }
  }

  /**
   * The lag of every assigned partition, from its high watermark and the stored offset: kafkajs hands
   * over no batch for a partition with nothing new, so one that is caught up would report nothing until
   * its next message. Monitoring only: a failed read is left to the next batches.
   */
  async function reportLagOfAssigned(assignment: number): Promise<void> {
    try {
      for (const topic of new Set(assigned.map((a) => a.topic))) {
        const offsets = await admin.fetchTopicOffsets(toKafka(topic))
        for (const { partition, high } of offsets) {
          const k = key(topic, partition)
          if (assignment === assignments && positions.has(k) && assigned.some((a) => a.topic === topic && a.partition === partition)) {
            recordLag(topic, partition, Number(high) - positions.get(k)!)
          }
        }
      }
    } catch {
      // the next fetched batch of each partition reports its lag
    }
  }

  /**
   * Pauses fetching partitions that have run ahead of the others in time with more than a fifth of a
   * batch held, and resumes those that no longer have. Otherwise, reading a backlog, a partition whose
   * fetches span hours (a sparse topic) or that Kafka answers first fills the room for held records;
   * fetching then waits for room, the partitions behind are read one fetch at a time, and records are
   * handed on out of step to make room — a minute's records land in several batches and its cells are
   * written several times. Kafka Streams pauses full partitions the same way (buffered.records.per.partition).
   */
  function pauseAhead(): void {
    if (leaving) {
      return
    }
    const ahead = new Set(held.ahead(maxHeldAhead))
    const resumed = [...pausedAhead].filter((k) => !ahead.has(k))
    const paused = [...ahead].filter((k) => !pausedAhead.has(k))
    try {
      if (resumed.length > 0) {
        consumer.resume(resumed.map(toTopicPartition))
      }
      if (paused.length > 0) {
        consumer.pause(paused.map(toTopicPartition))
      }
    } catch {
      // kafkajs is between runs (restarting after a crash); its next run starts with nothing paused.
      return
    }
    resumed.forEach((k) => pausedAhead.delete(k))
    paused.forEach((k) => pausedAhead.add(k))
  }

  /** A partition's key as kafkajs names it. */
  function toTopicPartition(k: string): { topic: string, partitions: number[] } {
    const bar = k.lastIndexOf('|')
    return { topic: toKafka(k.slice(0, bar)), partitions: [Number(k.slice(bar + 1))] }
  }

  /**
   * Takes the pending batch and commits it in the background, so the next records are decoded and
   * folded while the database writes (the pipeline counts the ids of a batch in flight as seen). One
   * commit at a time: a flush first waits for the one before, and when that failed, everything after
   * it is dropped and re-read from the stored offsets.
   */
  async function flush(): Promise<void> {
    if (!(await settled())) {
      await restart()
      return
    }
    lastFlush = Date.now()
    const batch = pipeline.takeBatch()
    committing = true
    inFlight = commit(batch, readFrom).finally(() => {
      committing = false
    }).then(async () => {
      pipeline.stored(batch)
      const committed = [...batch.offsets.values()].map((o) => ({ topic: toKafka(o.topic), partition: o.partition, offset: String(o.nextOffset) }))
      await consumer.commitOffsets(committed).catch(() => undefined)
      return true
    }, (error: unknown) => {
      if ((error as Error).name === 'OffsetConflictError') {
        recordConflict()
      } else {
        options.onError?.(error)
      }
      return false
    })
  }

  /**
   * A batch is committed once a flush interval has passed, but not while the one before is still
   * committing (unless it is full): under a backlog, batches grow to what the database takes in the
   * time of one commit instead of queueing small commits behind each other.
   */
  function isFlushDue(): boolean {
    return pipeline.pending >= maxBatchRecords || (Date.now() - lastFlush >= flushIntervalMs && !committing)
  }

  /** Waits for the commit in flight; false when it failed. */
  async function settled(): Promise<boolean> {
    const ok = await (inFlight ?? true)
    inFlight = undefined
    return ok
  }

  /**
   * Holds a fetched batch for folding without waiting for it to be folded, so kafkajs fetches the next
   * while this one is decoded, looked up and folded; only when the records fetched and not yet folded
   * exceed a batch's worth does it wait (fetching pauses rather than buffering without bound).
   */
  async function eachBatch({ batch, heartbeat, isStale, resolveOffset }: EachBatchPayload): Promise<void> {
    // A seek is pending for this partition (these records were fetched from before it and are not ours),
    // or the worker is leaving: whoever reads the partition next reads them from the stored offsets.
    if (isStale() || leaving) {
      return
    }
    const topic = fromKafka(batch.topic)
    const k = key(topic, batch.partition)
    const from = positions.get(k) ?? -1
    // Source messages' Kafka headers are not read (a dead letter carries headers of its own): not copied.
    const messages = batch.messages.filter((m) => Number(m.offset) >= from)
    const records: StreamRecord[] = messages.map((m) => ({
      topic,
      partition: batch.partition,
      offset: Number(m.offset),
      key: m.key ? m.key.toString() : null,
      value: m.value ? m.value.toString('utf8') : '',
    }))
    if (records.length > 0) {
      positions.set(k, records[records.length - 1]!.offset + 1)
    }
    if (batch.messages.length > 0) {
      const lag = Number(batch.highWatermark) - (positions.get(k) ?? 0)
      recordLag(topic, batch.partition, lag)
      held.add(k, records, messages.map((m) => Number(m.timestamp)), lag)
      unfolded += records.length
      pauseAhead()
      foldHeld()
    }
    const last = batch.messages[batch.messages.length - 1]
    if (last) {
      resolveOffset(last.offset)
    }
    while (unfolded > maxBatchRecords) {
      foldHeld()
      await new Promise<void>((resolve) => {
        wakeFetch = resolve
        setTimeout(resolve, 1000)
      })
      await heartbeat()
    }
    await heartbeat()
  }

  /**
   * Folds the held records that are in step, each partition's in the order fetched; the oldest ones
   * anyway when waiting longer would stall fetching or hold the rest back past a flush interval. A
   * restart drops what is held. (Decoding ahead, to overlap the store lookups with folding, was tried
   * and was slower: docs/benchmarks.md.)
   */
  function foldHeld(mode?: TakeMode): void {
    if (foldQueued && mode === undefined) {
      return
    }
    foldQueued = true
    void serial(async () => {
      foldQueued = false
      for (;;) {
        const stalled = unfolded > maxBatchRecords || Date.now() - lastTakenMs >= flushIntervalMs
        const records = held.take(mode ?? (stalled ? 'oldest' : 'in-step'), maxBatchRecords)
        if (records.length === 0) {
          return
        }
        lastTakenMs = Date.now()
        try {
          await pipeline.handle(records)
          if (isFlushDue()) {
            await flush()
          }
        } catch (error) {
          // Offsets of these records were already resolved to kafkajs: the only way back to them is a restart.
          options.onError?.(error)
          await restart()
          return
        } finally {
          unfolded -= records.length
          pauseAhead()
          wakeFetch?.()
        }
      }
    }).catch((error: unknown) => options.onError?.(error))
  }

  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    assigned = Object.entries(payload.memberAssignment).flatMap(([topic, partitions]) => partitions.map((partition) => ({ topic: fromKafka(topic), partition })))
    // A new assignment: whatever this worker held for partitions it may have lost is dropped, and every
    // assigned partition resumes from the database's offsets.
    void serial(restart).catch((error: unknown) => options.onError?.(error))
  })
  // The group is rebalancing and partitions may be revoked: what is pending, held records folded too, is
  // committed now, not dropped at the new assignment. Safe whoever gets them: a new owner's commit and this one are compare-and-set.
  consumer.on(consumer.events.REBALANCING, () => {
    foldHeld('all')
    void serial(flush).catch((error: unknown) => options.onError?.(error))
  })
  consumer.on(consumer.events.CRASH, ({ payload }) => options.onError?.(payload.error))

  await Promise.all([consumer.connect(), admin.connect()])
  await consumer.subscribe({ topics, fromBeginning: true })
  await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch })
  const timer = setInterval(() => {
    if (held.size > 0) {
      foldHeld()
    }
    if (isFlushDue()) {
      void serial(flush).catch((error: unknown) => options.onError?.(error))
    }
  }, Math.max(50, Math.floor(flushIntervalMs / 2)))

  return {
    /** Finishes the current batch, commits what is pending and leaves the group cleanly. */
    async stop(): Promise<void> {
      clearInterval(timer)
      leaving = true
      await consumer.stop()
      foldHeld('all')
      await serial(async () => {
        await flush()
        await settled()
      })
      await Promise.all([consumer.disconnect(), admin.disconnect()])
    },
  }
}

export type KafkaIngest = Awaited<ReturnType<typeof startKafkaConsumer>>
