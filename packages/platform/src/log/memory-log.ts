import type { ProducedMessage, StreamProducer, StreamRecord } from './stream-log.js'

export interface MemoryLogOptions {
  /** Partitions per topic. @default 3 */
  partitions?: number
}

interface Partition {
  /** Offset of records[0]. */
  base: number
  records: StreamRecord[]
}

/**
 * The embedded stand-in for Kafka: topics of keyed partitions in this process. Same key, same
 * partition, so per-device and per-case order holds as it does on Kafka. Consumed records are trimmed,
 * so memory holds only what is not yet committed.
 */
export class MemoryLog implements StreamProducer {
  readonly partitions: number
  private readonly topics = new Map<string, Partition[]>()
  private readonly waiters = new Set<() => void>()

  constructor(options: MemoryLogOptions = {}) {
    this.partitions = options.partitions ?? 3
  }

  async send(messages: readonly ProducedMessage[]): Promise<void> {
    for (const m of messages) {
      this.append(m)
    }
  }

  append({ topic, key, value, headers }: ProducedMessage): StreamRecord {
    const index = key === null ? 0 : partitionOf(key, this.partitions)
    const p = this.partitionsOf(topic)[index]!
    const record: StreamRecord = { topic, partition: index, offset: p.base + p.records.length, key, value, ...(headers ? { headers } : {}) }
    p.records.push(record)
    for (const wake of this.waiters) {
      wake()
    }
    this.waiters.clear()
    return record
  }

  /** Up to `max` records from `offset` on; an offset below the trimmed start reads from the start. */
  read(topic: string, partition: number, offset: number, max: number): StreamRecord[] {
    const p = this.partitionsOf(topic)[partition]!
    const from = Math.max(0, offset - p.base)
    return p.records.slice(from, from + max)
  }

  endOffset(topic: string, partition: number): number {
    const p = this.partitionsOf(topic)[partition]!
    return p.base + p.records.length
  }

  /** Continues numbering at `offset` when the partition is empty (a restart resumes stored offsets). */
  resumeAt(topic: string, partition: number, offset: number): void {
    const p = this.partitionsOf(topic)[partition]!
    if (p.records.length === 0 && offset > p.base) {
      p.base = offset
    }
  }

  /** Drops records below `offset`, once they are committed. */
  trim(topic: string, partition: number, offset: number): void {
    const p = this.partitionsOf(topic)[partition]!
    const drop = Math.min(Math.max(0, offset - p.base), p.records.length)
    p.records.splice(0, drop)
    p.base += drop
  }

  /** Resolves when something is appended, or after timeoutMs. */
  waitForData(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters.delete(done)
        resolve()
      }, timeoutMs)
      const done = () => {
        clearTimeout(timer)
        resolve()
      }
      this.waiters.add(done)
    })
  }

  private partitionsOf(topic: string): Partition[] {
    let parts = this.topics.get(topic)
    if (!parts) {
      parts = Array.from({ length: this.partitions }, () => ({ base: 0, records: [] }))
      this.topics.set(topic, parts)
    }
    return parts
  }
}

/** FNV-1a hash of the key modulo the partition count. */
export function partitionOf(key: string, partitions: number): number {
  let h = 0x811c9dc5
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return (h >>> 0) % partitions
}
