import { Redis } from 'ioredis'
import type { PubSub } from './pubsub.js'

export interface RedisPubSubOptions {
  /** Told once when messages start being dropped (Redis unreachable) and on undecodable messages. */
  onError?: (error: Error) => void
  /** CLIENT SETNAME of the two connections (suffixed `:pub` / `:sub`), to find them in CLIENT LIST. */
  connectionName?: string
}

/** Reconnect quickly and for ever: a restarted Redis is back within a second of accepting connections. */
export const redisRetryStrategy = (attempt: number): number => Math.min(100 * attempt, 1000)

/**
 * PubSub over Redis channels; messages travel as JSON. One connection publishes, one subscribes; both
 * reconnect by themselves and every channel is subscribed again after a Redis restart. Publishing is at most once, like
 * Redis pub/sub itself: while Redis is unreachable a message is dropped (never queued), so a publisher
 * such as the ingest never stalls on it; receivers catch up from the store.
 */
export function createRedisPubSub(url: string, options: RedisPubSubOptions = {}): PubSub {
  const { onError = () => undefined, connectionName } = options
  const name = (suffix: string) => (connectionName ? { connectionName: `${connectionName}:${suffix}` } : {})
  const pub = new Redis(url, { ...name('pub'), retryStrategy: redisRetryStrategy, enableOfflineQueue: false, maxRetriesPerRequest: 1 })
  const sub = new Redis(url, { ...name('sub'), retryStrategy: redisRetryStrategy, maxRetriesPerRequest: null, autoResubscribe: false })
  const handlers = new Map<string, Set<(message: unknown) => void>>()
  let dropping = false
  let subscriberFailing = false

  // Connection errors repeat while Redis is down; they are reported once per outage.
  pub.on('error', () => undefined)
  pub.on('ready', () => {
    dropping = false
  })
  sub.on('error', (error: Error) => {
    if (!subscriberFailing) {
      subscriberFailing = true
      onError(new Error(`redis subscriber connection: ${error.message}`))
    }
  })
  // SUBSCRIBE only on a ready connection: sent during ioredis's ready check (status "connect") it breaks
  // the check and the connection loops. On every (re)connection, every channel is subscribed again.
  sub.on('ready', () => {
    subscriberFailing = false
    if (handlers.size > 0) {
      sub.subscribe(...handlers.keys()).catch((error: Error) => onError(error))
    }
  })
  sub.on('message', (channel: string, raw: string) => {
    const targets = handlers.get(channel)
    if (!targets) {
      return
    }
    let message: unknown
    try {
      message = JSON.parse(raw)
    } catch {
      onError(new Error(`undecodable message on ${channel}`))
      return
    }
    for (const handler of targets) {
      handler(message)
    }
  })

  return {
    async publish(channel, message) {
      try {
        await pub.publish(channel, JSON.stringify(message))
      } catch (error) {
        if (!dropping) {
          dropping = true
          onError(new Error(`redis pub/sub unavailable, dropping messages until it is back: ${(error as Error).message}`))
        }
      }
    },
    subscribe(channel, handler) {
      let targets = handlers.get(channel)
      if (!targets) {
        targets = new Set()
        handlers.set(channel, targets)
        if (sub.status === 'ready') {
          sub.subscribe(channel).catch((error: Error) => onError(error))
        }
      }
      targets.add(handler)
      return () => {
        const current = handlers.get(channel)
        if (!current?.delete(handler) || current.size > 0) {
          return
        }
        handlers.delete(channel)
        if (sub.status === 'ready') {
          sub.unsubscribe(channel).catch(() => undefined)
        }
      }
    },
    async close() {
      handlers.clear()
      pub.disconnect()
      sub.disconnect()
    },
  }
}
