import type { AggKind, CaseState, Partial } from '@city/metrics'
import type { ProducedMessage } from '@city/platform'
import { MessageIds } from './message-ids.js'
import { PartialTable, type BucketCell, type BucketPartial } from './partial-table.js'

export type { BucketPartial } from './partial-table.js'

interface OffsetEntry {
  topic: string
  partition: number
  nextOffset: number
}

/** Everything one flush commits in a single transaction. */
export class Batch {
  /** Leaf-region minute partials; ancestors are rolled up at flush time. */
  readonly leaves = new PartialTable()
  readonly cases = new Map<string, CaseState>()
  /** `${day}|${source}|${reason}` → count; reason 'accepted' for good messages. */
  readonly quality = new Map<string, number>()
  /** `${topic}|${partition}` → next offset to read. */
  readonly offsets = new Map<string, OffsetEntry>()
  readonly deadLetters: ProducedMessage[] = []
  /** Ids of accepted messages → event time, stored for deduplication with the offsets. */
  readonly seenIds = new MessageIds()
  records = 0
  watermarkMs = -Infinity
  /** Topic → partition → its entry in offsets, found without building the key for every record. */
  private readonly offsetsByTopic = new Map<string, OffsetEntry[]>()
  private lastOffset: OffsetEntry | undefined

  /** A live view of the partial of a leaf region's metric in a minute bucket. */
  partial(region: string, metric: string, bucketMs: number): Partial {
    return this.leaves.columns.view(this.leaves.row(region, metric, bucketMs))
  }

  /** `observe` on the partial of a leaf region's metric in a minute bucket. */
  observe(region: string, metric: string, bucketMs: number, kind: AggKind, value: number): void {
    this.leaves.columns.observe(this.leaves.row(region, metric, bucketMs), kind, value)
  }

  /** `retract` on the partial of a leaf region's metric in a minute bucket. */
  retract(region: string, metric: string, bucketMs: number, value: number): void {
    this.leaves.columns.retract(this.leaves.row(region, metric, bucketMs), value)
  }

  /** Every leaf partial of the batch, as objects of their own. */
  leafPartials(): BucketPartial[] {
    return this.leaves.toRows()
  }

  count(day: string, source: string, reason: string, n = 1): void {
    const key = `${day}|${source}|${reason}`
    this.quality.set(key, (this.quality.get(key) ?? 0) + n)
  }

  /** Notes an accepted message's event time for the stream watermark and, on its leaf cell, its region's freshness. */
  seen(cell: BucketCell, tsMs: number): void {
    if (tsMs > this.watermarkMs) {
      this.watermarkMs = tsMs
    }
    if (tsMs > cell.newestMs) {
      cell.newestMs = tsMs
    }
  }

  /** Leaf region → newest event time folded in this batch. */
  get regionEventMs(): Map<string, number> {
    return this.leaves.newestByRegion()
  }

  advance(topic: string, partition: number, offset: number): void {
    const last = this.lastOffset
    if (last !== undefined && last.partition === partition && last.topic === topic) {
      last.nextOffset = offset + 1
      return
    }
    let partitions = this.offsetsByTopic.get(topic)
    if (!partitions) {
      partitions = []
      this.offsetsByTopic.set(topic, partitions)
    }
    let entry = partitions[partition]
    if (entry) {
      entry.nextOffset = offset + 1
    } else {
      entry = { topic, partition, nextOffset: offset + 1 }
      partitions[partition] = entry
      this.offsets.set(`${topic}|${partition}`, entry)
    }
    this.lastOffset = entry
  }

  /**
   * After its commit: hands the partials' and ids' arrays to later batches. Offsets, quality counts
   * and dead letters stay readable; rolling up or committing the batch again throws.
   */
  releaseArrays(): void {
    this.leaves.release()
    this.seenIds.release()
  }

  get isEmpty(): boolean {
    return this.records === 0 && this.offsets.size === 0
  }
}
