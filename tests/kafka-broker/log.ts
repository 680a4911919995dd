import type { RecordBatch, RecordHeader } from './protocol/record-batch.js'
import { withBaseOffset } from './protocol/record-batch.js'

export interface StoredRecord {
  offset: number
  timestamp: number
  key: Buffer | null
  value: Buffer | null
  headers: RecordHeader[]
}

interface StoredBatch {
  baseOffset: number
  lastOffset: number
  maxTimestamp: number
  bytes: Buffer
  records: StoredRecord[]
}

/** One partition's log: whole batches as producers sent them, renumbered; nothing is ever truncated. */
export class PartitionLog {
  private readonly batches: StoredBatch[] = []

  readonly logStartOffset = 0

  get highWatermark(): number {
    const last = this.batches.at(-1)
    return last ? last.lastOffset + 1 : 0
  }

  append(batch: RecordBatch): number {
    const baseOffset = this.highWatermark
    this.batches.push({
      baseOffset,
      lastOffset: baseOffset + batch.lastOffsetDelta,
      maxTimestamp: batch.maxTimestamp,
      bytes: withBaseOffset(batch.bytes, baseOffset),
      records: batch.records.map((record) => ({
        offset: baseOffset + record.offsetDelta,
        timestamp: record.timestamp,
        key: record.key,
        value: record.value,
        headers: record.headers,
      })),
    })
    return baseOffset
  }

  /**
   * Whole batches from the one holding fetchOffset on, up to maxBytes; with minOneBatch the first
   * batch is returned even when larger (KIP-74), so a big batch can never stall a consumer.
   */
  read(fetchOffset: number, maxBytes: number, minOneBatch: boolean): Buffer[] {
    const chunks: Buffer[] = []
    let size = 0
    for (let i = this.batchIndexOf(fetchOffset); i < this.batches.length; i++) {
      const bytes = this.batches[i]?.bytes
      if (!bytes) {
        break
      }
      const fits = size + bytes.length <= maxBytes || (minOneBatch && chunks.length === 0)
      if (!fits) {
        break
      }
      chunks.push(bytes)
      size += bytes.length
    }
    return chunks
  }

  /** The first record with a timestamp at or after the given one (ListOffsets by time). */
  offsetForTimestamp(timestamp: number): StoredRecord | undefined {
    for (const batch of this.batches) {
      if (batch.maxTimestamp >= timestamp) {
        const record = batch.records.find((candidate) => candidate.timestamp >= timestamp)
        if (record) {
          return record
        }
      }
    }
    return undefined
  }

  records(): StoredRecord[] {
    return this.batches.flatMap((batch) => batch.records)
  }

  private batchIndexOf(offset: number): number {
    let low = 0
    let high = this.batches.length - 1
    while (low <= high) {
      const middle = (low + high) >> 1
      const batch = this.batches[middle]
      if (!batch) {
        break
      }
      if (batch.lastOffset < offset) {
        low = middle + 1
      } else if (batch.baseOffset > offset) {
        high = middle - 1
      } else {
        return middle
      }
    }
    return low
  }
}
