import type { RegionSnapshot } from '@city/metrics/wire'
import { computed, onScopeDispose, ref, shallowRef, toValue, watch, type MaybeRefOrGetter } from 'vue'
import { live as defaultLive, type Live } from '@/api/live'
import { shouldAccept, type SnapshotEvent } from '@/lib/snapshot-version'
import { useNow } from './use-now'

/**
 * What the screen may claim about its numbers: `live` only while connected, answered after the last
 * (re)subscribe, not flagged stale by the server and not silent for too long.
 */
export type SnapshotStatus = 'connecting' | 'syncing' | 'live' | 'delayed' | 'offline'

export interface UseRegionSnapshotOptions {
  /**
   * With no push for this long the numbers are shown as delayed. The API pushes every room at least every
   * 5 s even when nothing commits, so silence beyond this means a stuck server, not a quiet region.
   * @default 30000
   */
  silentAfterMs?: number
  /** The live connection; tests pass a fake. @default the app's single socket */
  live?: Live
}

export function useRegionSnapshot(regionId: MaybeRefOrGetter<string | null>, options: UseRegionSnapshotOptions = {}) {
  const { silentAfterMs = 30_000, live = defaultLive } = options
  const snapshot = shallowRef<RegionSnapshot | null>(null)
  const receivedAt = ref<number | null>(null)
  const awaitingAnswer = ref(true)
  const now = useNow()
  let unsubscribe: (() => void) | undefined

  // After a (re)subscribe the first push of either kind is the server's current state: the server may
  // answer with an update when building the snapshot failed, and its versions may have restarted.
  const accept = (event: SnapshotEvent, region: string) => (incoming: RegionSnapshot) => {
    const effective = awaitingAnswer.value ? 'snapshot' : event
    if (!shouldAccept(snapshot.value, incoming, region, effective)) {
      return
    }
    snapshot.value = incoming
    receivedAt.value = Date.now()
    awaitingAnswer.value = false
  }

  const stop = watch(() => toValue(regionId), (region) => {
    unsubscribe?.()
    unsubscribe = undefined
    snapshot.value = null
    receivedAt.value = null
    awaitingAnswer.value = true
    if (!region) {
      return
    }
    unsubscribe = live.subscribe({
      region,
      onSnapshot: accept('snapshot', region),
      onUpdate: accept('update', region),
      onResubscribe: () => {
        awaitingAnswer.value = true
      },
    })
  }, { immediate: true })

  const status = computed<SnapshotStatus>(() => {
    if (live.status.value !== 'connected') {
      return live.status.value === 'connecting' && !snapshot.value ? 'connecting' : 'offline'
    }
    if (awaitingAnswer.value || !snapshot.value) {
      return 'syncing'
    }
    const silentMs = receivedAt.value === null ? 0 : now.value - receivedAt.value
    if (snapshot.value.stale || silentMs > silentAfterMs) {
      return 'delayed'
    }
    return 'live'
  })

  onScopeDispose(() => {
    stop()
    unsubscribe?.()
  })

  return { snapshot, status, error: live.error, reconnectAttempts: live.attempts, receivedAt }
}
