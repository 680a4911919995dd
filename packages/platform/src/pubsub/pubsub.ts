import { EventEmitter } from 'node:events'

/** Fan-out of small notices between roles: in-process here, Redis when REDIS_URL is set. */
export interface PubSub {
  publish(channel: string, message: unknown): Promise<void>
  subscribe(channel: string, handler: (message: unknown) => void): () => void
  close(): Promise<void>
}

export function createMemoryPubSub(): PubSub {
  const emitter = new EventEmitter()
  emitter.setMaxListeners(0)
  return {
    async publish(channel, message) {
      emitter.emit(channel, message)
    },
    subscribe(channel, handler) {
      emitter.on(channel, handler)
      return () => emitter.off(channel, handler)
    },
    async close() {
      emitter.removeAllListeners()
    },
  }
}

/** Published after every committed flush. */
export interface CommitNotice {
  version: number
  committedAt: string
  /** Regions (leaves and ancestors) whose aggregates or cases changed. */
  regions: string[]
  /**
   * The earliest minute bucket (epoch ms) whose aggregates the commit changed, in any region (its hour
   * and day rollups start there too); null when it changed none (only cases). Live snapshots re-read
   * stored minutes from here on instead of whole windows.
   */
  minuteFromMs: number | null
}
export const COMMIT_CHANNEL = 'city:commit'

export { createRedisPubSub, redisRetryStrategy, type RedisPubSubOptions } from './redis-pubsub.js'
