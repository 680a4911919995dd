import { ErrorCode } from './protocol/error-codes.js'

interface SequenceWindow {
  firstSequence: number
  lastSequence: number
  baseOffset: number
}

interface ProducerEntry {
  epoch: number
  partitions: Map<string, SequenceWindow[]>
}

export interface ProducerBatch {
  producerId: bigint
  producerEpoch: number
  baseSequence: number
  recordCount: number
}

export type SequenceCheck =
  | { kind: 'append' }
  | { kind: 'duplicate'; baseOffset: number }
  | { kind: 'error'; errorCode: ErrorCode }

// Like Kafka (ProducerStateEntry.NumBatchesToRetain): the last five batches per producer and partition
// are remembered, so a retry of any of them is acknowledged with its original offset instead of appended.
const RETAINED_BATCHES = 5
const MAX_SEQUENCE = 0x7fffffff

/** Idempotent-producer bookkeeping: producer ids, epochs and sequence numbers per partition. */
export class ProducerStates {
  private nextProducerId = 1000n
  private readonly producers = new Map<bigint, ProducerEntry>()
  private readonly transactionalIds = new Map<string, bigint>()

  initProducerId(transactionalId: string | null): { producerId: bigint; epoch: number } {
    const known = transactionalId === null ? undefined : this.transactionalIds.get(transactionalId)
    const existing = known === undefined ? undefined : this.producers.get(known)
    if (known !== undefined && existing) {
      existing.epoch += 1
      existing.partitions.clear()
      return { producerId: known, epoch: existing.epoch }
    }
    const producerId = this.nextProducerId++
    this.producers.set(producerId, { epoch: 0, partitions: new Map() })
    if (transactionalId !== null) {
      this.transactionalIds.set(transactionalId, producerId)
    }
    return { producerId, epoch: 0 }
  }

  check(partitionKey: string, batch: ProducerBatch): SequenceCheck {
    const entry = this.producers.get(batch.producerId)
    if (entry && batch.producerEpoch < entry.epoch) {
      return { kind: 'error', errorCode: ErrorCode.INVALID_PRODUCER_EPOCH }
    }
    const isNewEpoch = !entry || batch.producerEpoch > entry.epoch
    const windows = isNewEpoch ? [] : (entry.partitions.get(partitionKey) ?? [])
    const lastSequence = lastSequenceOf(batch)
    const duplicate = windows.find(
      (window) => window.firstSequence === batch.baseSequence && window.lastSequence === lastSequence,
    )
    if (duplicate) {
      return { kind: 'duplicate', baseOffset: duplicate.baseOffset }
    }
    const previous = windows.at(-1)
    const expected = previous ? nextSequence(previous.lastSequence) : 0
    if (batch.baseSequence !== expected) {
      return { kind: 'error', errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER }
    }
    return { kind: 'append' }
  }

  record(partitionKey: string, batch: ProducerBatch, baseOffset: number): void {
    let entry = this.producers.get(batch.producerId)
    if (!entry || batch.producerEpoch > entry.epoch) {
      entry = { epoch: batch.producerEpoch, partitions: new Map() }
      this.producers.set(batch.producerId, entry)
    }
    const windows = entry.partitions.get(partitionKey) ?? []
    windows.push({ firstSequence: batch.baseSequence, lastSequence: lastSequenceOf(batch), baseOffset })
    entry.partitions.set(partitionKey, windows.slice(-RETAINED_BATCHES))
  }

  /** Topic names cannot contain '/', so the prefix names exactly this topic's partitions. */
  forgetTopic(topic: string): void {
    for (const entry of this.producers.values()) {
      for (const key of entry.partitions.keys()) {
        if (key.startsWith(`${topic}/`)) {
          entry.partitions.delete(key)
        }
      }
    }
  }
}

export function partitionKey(topic: string, partition: number): string {
  return `${topic}/${partition}`
}

function lastSequenceOf(batch: ProducerBatch): number {
  return (batch.baseSequence + batch.recordCount - 1) % (MAX_SEQUENCE + 1)
}

function nextSequence(sequence: number): number {
  return sequence === MAX_SEQUENCE ? 0 : sequence + 1
}
