import { emptyPartial, type CaseState, type Partial } from '@city/metrics'
import type { ProducedMessage } from '@city/platform'

export interface BucketPartial {
  region: string
  metric: string
  bucketMs: number
  partial: Partial
}

/** Everything one flush commits in a single transaction. */
export class Batch {
  /** Leaf-region minute partials; ancestors are rolled up at flush time. */
  readonly partials = new Map<string, BucketPartial>()
  readonly cases = new Map<string, CaseState>()
  /** `${day}|${source}|${reason}` → count; reason 'accepted' for good messages. */
  readonly quality = new Map<string, number>()
  /** `${topic}|${partition}` → next offset to read. */
  readonly offsets = new Map<string, { topic: string, partition: number, nextOffset: number }>()
  readonly deadLetters: ProducedMessage[] = []
  /** Ids of accepted messages → event time, stored for deduplication with the offsets. */
  readonly seenIds = new Map<string, number>()
  /** Leaf region → newest event time folded in this batch. */
  readonly regionEventMs = new Map<string, number>()
  records = 0
  watermarkMs = -Infinity

  partial(region: string, metric: string, bucketMs: number): Partial {
    const key = `${region}|${metric}|${bucketMs}`
    let entry = this.partials.get(key)
    if (!entry) {
      entry = { region, metric, bucketMs, partial: emptyPartial() }
      this.partials.set(key, entry)
    }
    return entry.partial
  }

  count(day: string, source: string, reason: string): void {
    const key = `${day}|${source}|${reason}`
    this.quality.set(key, (this.quality.get(key) ?? 0) + 1)
  }

  /** Notes an accepted message's event time for the stream watermark and its region's freshness. */
  seen(region: string, tsMs: number): void {
    if (tsMs > this.watermarkMs) {
      this.watermarkMs = tsMs
    }
    if (tsMs > (this.regionEventMs.get(region) ?? -Infinity)) {
      this.regionEventMs.set(region, tsMs)
    }
  }

  advance(topic: string, partition: number, offset: number): void {
    this.offsets.set(`${topic}|${partition}`, { topic, partition, nextOffset: offset + 1 })
  }

  get isEmpty(): boolean {
    return this.records === 0 && this.offsets.size === 0
  }
}
