import type { RegionSnapshot } from '@city/metrics/wire'

/** `snapshot` answers a (re)subscribe; `update` is a live push. */
export type SnapshotEvent = 'snapshot' | 'update'

/**
 * Whether an incoming snapshot replaces the one on screen. Pushes for another region (a late message from
 * the room just left) never do. A `snapshot` is the server's fresh state after a (re)subscribe and always
 * wins, so a server whose version restarted cannot freeze the wall. An `update` older than what is shown
 * (a lower version) is dropped: versions only grow.
 */
export function shouldAccept(
  shown: RegionSnapshot | null,
  incoming: RegionSnapshot,
  region: string,
  event: SnapshotEvent,
): boolean {
  if (incoming.region !== region) {
    return false
  }
  if (event === 'snapshot' || shown === null || shown.region !== region) {
    return true
  }
  return incoming.version >= shown.version
}
