import type { AppConfig } from '@city/api'
import { createMemoryPubSub, createRedisPubSub, type PubSub } from '@city/platform'
import type { Config } from './config.js'

/** Commit notices between roles: Redis with REDIS_URL (ingest and API in different processes), else in-process. */
export function openPubSub(config: Config, log: (message: string) => void): PubSub {
  const warning = liveTopologyWarning(config)
  if (warning) {
    log(warning)
  }
  if (!config.REDIS_URL) {
    return createMemoryPubSub()
  }
  log('pub/sub and live snapshots: Redis')
  return createRedisPubSub(config.REDIS_URL, { onError: (error) => log(`pub/sub: ${error.message}`) })
}

/** The API's live push: REDIS_URL shares it between API nodes, MAX_CLIENTS_PER_NODE and LIVE_TICK_MS tune it. */
export function liveOptionsOf(config: Config): NonNullable<AppConfig['live']> {
  return {
    tickMs: config.LIVE_TICK_MS,
    maxClients: config.MAX_CLIENTS_PER_NODE,
    ...(config.REDIS_URL ? { redisUrl: config.REDIS_URL } : {}),
  }
}

/** What the live view loses when roles are split without Redis: commit notices stay in their process. */
export function liveTopologyWarning(config: Config): string | null {
  const split = config.roles.has('api') !== config.roles.has('ingest')
  if (!split || config.REDIS_URL) {
    return null
  }
  return config.roles.has('api')
    ? 'no REDIS_URL: this API hears no commits from ingest processes; live views refresh only every 5 s'
    : 'no REDIS_URL: API processes hear no commits from this ingest; set REDIS_URL on every role'
}
