import type { RegionSnapshot } from '@city/metrics/wire'
import type { PubSub } from '@city/platform'
import { isLiveUpdate, isNewer, UPDATE_CHANNEL, type LiveStore } from './live-store.js'

/** The embedded store: one process, so it always leads; snapshots travel on the in-process pub/sub. */
export function createMemoryLiveStore(pubsub: PubSub): LiveStore {
  const latest = new Map<string, RegionSnapshot>()
  const watchedUntil = new Map<string, number>()
  let acquired = false
  return {
    async lead() {
      const first = !acquired
      acquired = true
      return first ? 'acquired' : 'kept'
    },
    async publish(update) {
      const { snapshot } = update
      if (!isNewer(snapshot, latest.get(snapshot.region))) {
        return 'older'
      }
      latest.set(snapshot.region, snapshot)
      await pubsub.publish(UPDATE_CHANNEL, update)
      return 'published'
    },
    async latest(region) {
      return latest.get(region) ?? null
    },
    onUpdate(handler) {
      return pubsub.subscribe(UPDATE_CHANNEL, (message) => {
        if (isLiveUpdate(message)) {
          handler(message)
        }
      })
    },
    onReconnect() {
      return () => undefined
    },
    async watch(regions, untilMs) {
      for (const region of regions) {
        watchedUntil.set(region, Math.max(untilMs, watchedUntil.get(region) ?? 0))
      }
    },
    async watched(nowMs) {
      for (const [region, until] of watchedUntil) {
        if (until < nowMs) {
          watchedUntil.delete(region)
          latest.delete(region)
        }
      }
      return [...watchedUntil.keys()]
    },
    async close() {
      latest.clear()
      watchedUntil.clear()
    },
  }
}
