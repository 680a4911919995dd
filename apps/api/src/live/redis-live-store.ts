import { Redis } from 'ioredis'
import { createRedisPubSub, redisRetryStrategy } from '@city/platform'
import { isLiveUpdate, isRegionSnapshot, type LiveStore } from './live-store.js'

export interface RedisLiveStoreOptions {
  /** This node's lock token. */
  nodeId: string
  /** Prefix of every key and channel; tests use their own. @default 'city:' */
  prefix?: string
  /** A leader that stops renewing loses the lead after this long. @default 3000 */
  leaseMs?: number
  /** A stored snapshot nobody republishes expires after this long. @default 60000 */
  snapshotTtlMs?: number
  /** @default 2000 */
  commandTimeoutMs?: number
  onError?: (error: Error) => void
}

// Takes a free lock or renews our own: 2 = acquired, 1 = renewed, 0 = held by another node.
const LEAD = `
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
if not holder then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 2 end
return 0`

// Fenced compare-and-set + publish in one step: only the lock holder writes, only newer snapshots (higher
// version, or the same version computed later) replace the stored one, and exactly those are published,
// so every node relays one increasing sequence per region. -1 = not the leader, 0 = not newer, 1 = published.
const PUBLISH = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return -1 end
local stored = redis.call('HMGET', KEYS[2], 'version', 'asOf')
local version, asOf = tonumber(ARGV[2]), tonumber(ARGV[3])
if stored[1] then
  local v, t = tonumber(stored[1]), tonumber(stored[2])
  if version < v or (version == v and asOf <= t) then return 0 end
end
redis.call('HSET', KEYS[2], 'version', ARGV[2], 'asOf', ARGV[3], 'json', ARGV[4])
redis.call('PEXPIRE', KEYS[2], ARGV[6])
redis.call('PUBLISH', ARGV[5], ARGV[7])
return 1`

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`

/**
 * The distributed store: latest snapshot per region in a hash `<prefix>snapshot:<region>`, updates on the
 * channel `<prefix>update`, the lead as `<prefix>live:leader` (SET NX PX, renewed every tick) and watched
 * regions in the sorted set `<prefix>live:watched` scored by expiry. While Redis is down commands fail
 * after commandTimeoutMs; the update subscription comes back by itself.
 */
export function createRedisLiveStore(url: string, options: RedisLiveStoreOptions): LiveStore {
  const { nodeId, prefix = 'city:', leaseMs = 3000, snapshotTtlMs = 60_000, commandTimeoutMs = 2000, onError = () => undefined } = options
  const keys = { leader: `${prefix}live:leader`, watched: `${prefix}live:watched`, channel: `${prefix}update` }
  const snapshotKey = (region: string) => `${prefix}snapshot:${region}`
  // Commands wait for a (re)connection at most commandTimeoutMs; callers retry on their next tick.
  const cmd = new Redis(url, { connectionName: `${nodeId}:live`, retryStrategy: redisRetryStrategy, maxRetriesPerRequest: 1, commandTimeout: commandTimeoutMs })
  const updates = createRedisPubSub(url, { connectionName: `${nodeId}:updates`, onError })
  const reconnectHandlers = new Set<() => void>()
  let everReady = false
  cmd.on('error', () => undefined)
  cmd.on('ready', () => {
    if (everReady) {
      reconnectHandlers.forEach((handler) => handler())
    }
    everReady = true
  })

  return {
    async lead() {
      const result = await cmd.eval(LEAD, 1, keys.leader, nodeId, leaseMs)
      if (result === 2) {
        return 'acquired'
      }
      return result === 1 ? 'kept' : 'lost'
    },
    async publish({ snapshot, patch }) {
      const json = JSON.stringify(snapshot)
      // The update as JSON without serializing the snapshot twice.
      const message = `{"snapshot":${json},"patch":${JSON.stringify(patch)}}`
      const result = await cmd.eval(PUBLISH, 2, keys.leader, snapshotKey(snapshot.region),
        nodeId, snapshot.version, Date.parse(snapshot.asOf), json, keys.channel, snapshotTtlMs, message)
      if (result === -1) {
        return 'fenced'
      }
      return result === 1 ? 'published' : 'older'
    },
    async latest(region) {
      const json = await cmd.hget(snapshotKey(region), 'json')
      const parsed: unknown = json === null ? null : JSON.parse(json)
      return isRegionSnapshot(parsed) ? parsed : null
    },
    onUpdate(handler) {
      return updates.subscribe(keys.channel, (message) => {
        if (isLiveUpdate(message)) {
          handler(message)
        }
      })
    },
    onReconnect(handler) {
      reconnectHandlers.add(handler)
      return () => reconnectHandlers.delete(handler)
    },
    async watch(regions, untilMs) {
      if (regions.length > 0) {
        // GT: several nodes may watch a region; the latest expiry wins.
        await cmd.zadd(keys.watched, 'GT', ...regions.flatMap((region) => [untilMs, region]))
      }
    },
    async watched(nowMs) {
      await cmd.zremrangebyscore(keys.watched, '-inf', `(${nowMs}`)
      return cmd.zrangebyscore(keys.watched, nowMs, '+inf')
    },
    async close() {
      reconnectHandlers.clear()
      await cmd.eval(RELEASE, 1, keys.leader, nodeId).catch(() => undefined)
      cmd.disconnect()
      await updates.close()
    },
  }
}
