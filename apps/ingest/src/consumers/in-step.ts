import type { StreamRecord } from '@city/platform'

/** A fetched chunk of one partition, handed on from `next`. */
interface Chunk {
  records: StreamRecord[]
  /** Each record's Kafka timestamp: its event time where the producer sets it, else its send time. */
  times: number[]
  next: number
}

interface PartitionState {
  chunks: Chunk[]
  /** Newest timestamp fetched from the partition. */
  fetchedMs: number
  /** Records left to fetch after its latest fetch; Infinity until its first fetch (see expect). */
  lag: number
  /** When it last delivered records. */
  deliveredAt: number
}

/**
 * 'in-step': only what no partition with records still to fetch could come before; 'oldest': that, or
 * else the oldest held records, a minute of them after another, until OLDEST_AT_LEAST (when waiting
 * would stall fetching); 'all': everything held.
 */
export type TakeMode = 'in-step' | 'oldest' | 'all'

/** Records 'oldest' hands on at least (while held): each take is one dedupe lookup, not one per minute of stream. */
const OLDEST_AT_LEAST = 5000

/**
 * Fetched records held per partition and handed on in step by timestamp. On a backlog Kafka returns each
 * partition in chunks of its own size, and partitions drift hours apart in event time; a region's minute,
 * whose devices are spread over partitions, then reaches the pipeline in several batches and its rows
 * are written once per batch. Handing on only records no later than `slackMs` after the frontier (the
 * oldest newest-fetched timestamp among partitions that still have records to fetch) keeps every batch
 * to one stretch of time for all partitions, while fetching goes on. Kafka Streams reads partitions the
 * same way, lowest timestamp first. On a live stream nothing is left to fetch after each fetch, and
 * everything is handed on at once. A partition that reports records left but has delivered none for
 * `idleMs` (offsets taken by transaction markers or compaction never arrive as records) stops holding
 * the others back, as Kafka Streams' max.task.idle.ms.
 */
export class InStepBuffer {
  private readonly partitions = new Map<string, PartitionState>()
  /** Records held. */
  size = 0

  constructor(private readonly slackMs: number, private readonly idleMs: number, private readonly now: () => number = Date.now) {}

  /**
   * The partitions about to be fetched (a new assignment). Until each has delivered once, or gone idle,
   * it holds the others back: else the first partition to answer is handed on whole — on a backlog
   * hours of one partition in one batch, whose minutes the other partitions then write again.
   */
  expect(partitions: Iterable<string>): void {
    for (const partition of partitions) {
      if (!this.partitions.has(partition)) {
        this.partitions.set(partition, { chunks: [], fetchedMs: -Infinity, lag: Infinity, deliveredAt: this.now() })
      }
    }
  }

  /**
   * Partitions holding more than `max` records while fetched past what can be handed on in step:
   * fetching them further only fills memory, and the partitions behind them wait for room.
   */
  ahead(max: number): string[] {
    const limit = this.frontierMs() + this.slackMs
    const out: string[] = []
    for (const [partition, { chunks, fetchedMs }] of this.partitions) {
      let held = 0
      for (const chunk of chunks) {
        held += chunk.records.length - chunk.next
      }
      if (held > max && fetchedMs > limit) {
        out.push(partition)
      }
    }
    return out
  }

  /**
   * Holds a partition's fetched records (with their timestamps) and notes how many are left to fetch. A
   * record without a usable timestamp is handed on at once and does not move its partition's time.
   */
  add(partition: string, records: StreamRecord[], times: number[], lag: number): void {
    let state = this.partitions.get(partition)
    if (!state) {
      state = { chunks: [], fetchedMs: -Infinity, lag, deliveredAt: this.now() }
      this.partitions.set(partition, state)
    }
    state.lag = lag
    if (records.length > 0) {
      state.deliveredAt = this.now()
    }
    for (let i = 0; i < times.length; i++) {
      const t = times[i]!
      if (t >= 0) {
        state.fetchedMs = Math.max(state.fetchedMs, t)
      } else {
        times[i] = -Infinity
      }
    }
    if (records.length > 0) {
      state.chunks.push({ records, times, next: 0 })
      this.size += records.length
    }
  }

  /** Held records to hand on, each partition's in its order, at most `max` of them. */
  take(mode: TakeMode, max = Infinity): StreamRecord[] {
    const out: StreamRecord[] = []
    let limit = mode === 'all' ? Infinity : this.frontierMs() + this.slackMs
    for (;;) {
      if (mode === 'oldest') {
        limit = Math.max(limit, this.oldestHeldMs() + this.slackMs)
      }
      this.collect(limit, max, out)
      if (mode !== 'oldest' || out.length >= Math.min(max, OLDEST_AT_LEAST) || this.size === 0) {
        return out
      }
    }
  }

  clear(): void {
    this.partitions.clear()
    this.size = 0
  }

  /** Appends to out every held record up to the limit that its partition's order lets go, up to max in all. */
  private collect(limit: number, max: number, out: StreamRecord[]): void {
    const before = out.length
    for (const state of this.partitions.values()) {
      while (state.chunks.length > 0 && out.length < max) {
        const chunk = state.chunks[0]!
        while (chunk.next < chunk.records.length && chunk.times[chunk.next]! <= limit && out.length < max) {
          out.push(chunk.records[chunk.next++]!)
        }
        if (chunk.next < chunk.records.length) {
          break
        }
        state.chunks.shift()
      }
    }
    this.size -= out.length - before
  }

  /**
   * The oldest newest-fetched timestamp among partitions with records left to fetch (+∞ when none has;
   * −∞ while one has not been fetched yet). One whose records carry no timestamps bounds nothing.
   */
  private frontierMs(): number {
    let frontier = Infinity
    const activeSince = this.now() - this.idleMs
    for (const { lag, fetchedMs, deliveredAt } of this.partitions.values()) {
      if (lag > 0 && (fetchedMs > -Infinity || lag === Infinity) && deliveredAt >= activeSince) {
        frontier = Math.min(frontier, fetchedMs)
      }
    }
    return frontier
  }

  private oldestHeldMs(): number {
    let oldest = Infinity
    for (const { chunks } of this.partitions.values()) {
      const head = chunks[0]
      if (head) {
        oldest = Math.min(oldest, head.times[head.next]!)
      }
    }
    return oldest
  }
}
