import { PartitionLog } from './log.js'
import type { RecordBatch } from './protocol/record-batch.js'

const LEGAL_TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/

export function isValidTopicName(name: string): boolean {
  return LEGAL_TOPIC_NAME.test(name) && name !== '.' && name !== '..'
}

/** All topics of the broker; fetches waiting for data subscribe to its changes. */
export class TopicStore {
  private readonly topics = new Map<string, PartitionLog[]>()
  private readonly listeners = new Set<() => void>()

  names(): string[] {
    return [...this.topics.keys()].sort()
  }

  has(topic: string): boolean {
    return this.topics.has(topic)
  }

  partitionCount(topic: string): number {
    return this.topics.get(topic)?.length ?? 0
  }

  partition(topic: string, index: number): PartitionLog | undefined {
    return this.topics.get(topic)?.[index]
  }

  create(topic: string, partitions: number): void {
    this.topics.set(topic, Array.from({ length: partitions }, () => new PartitionLog()))
    this.notify()
  }

  addPartitions(topic: string, total: number): void {
    const logs = this.topics.get(topic)
    while (logs && logs.length < total) {
      logs.push(new PartitionLog())
    }
    this.notify()
  }

  delete(topic: string): boolean {
    const deleted = this.topics.delete(topic)
    this.notify()
    return deleted
  }

  append(topic: string, index: number, batch: RecordBatch): number {
    const log = this.partition(topic, index)
    if (!log) {
      throw new Error(`no partition ${topic}/${index}`)
    }
    const baseOffset = log.append(batch)
    this.notify()
    return baseOffset
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  private notify(): void {
    for (const listener of [...this.listeners]) {
      listener()
    }
  }
}
