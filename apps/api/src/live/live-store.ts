import type { RegionSnapshot, SnapshotPatch } from '@city/metrics/wire'

/** Channel of published updates (JSON of a LiveUpdate); every API node relays them to its local room. */
export const UPDATE_CHANNEL = 'city:update'

/**
 * A published snapshot and the patch from the snapshot the publisher published before it (null when it
 * had none, or their shapes differ). A node relays the patch to clients holding that base, else the snapshot.
 */
export interface LiveUpdate {
  snapshot: RegionSnapshot
  patch: SnapshotPatch | null
}

/**
 * Where the latest snapshot of each region lives and how a new one reaches every API node: in process
 * (embedded) or Redis. One publisher at a time leads; nodes say which regions their clients watch.
 */
export interface LiveStore {
  /** Takes or keeps the lead; `acquired` when this node was not leading before. The in-process store always leads. */
  lead(): Promise<'acquired' | 'kept' | 'lost'>
  /**
   * Stores the update's snapshot and publishes the update on UPDATE_CHANNEL, atomically, when the snapshot
   * is newer than the stored one (see isNewer) and this node still leads: `published`, else `older` or
   * `fenced` (lead lost).
   */
  publish(update: LiveUpdate): Promise<'published' | 'older' | 'fenced'>
  /** The latest published snapshot of a region, if any. */
  latest(region: string): Promise<RegionSnapshot | null>
  /** Every published update, in publication order. */
  onUpdate(handler: (update: LiveUpdate) => void): () => void
  /** Called after the store's connection came back (e.g. Redis restarted): what was published meanwhile is lost. */
  onReconnect(handler: () => void): () => void
  /** Marks regions as watched by this node until untilMs (wall clock). */
  watch(regions: readonly string[], untilMs: number): Promise<void>
  /** Regions some node watches at nowMs. */
  watched(nowMs: number): Promise<string[]>
  /** Gives up the lead (so another node takes over at once) and closes connections. */
  close(): Promise<void>
}

/**
 * Whether `incoming` replaces `current` for a region: a higher data version, or the same version computed
 * later (a refresh, whose staleness and trailing windows moved on). So a screen never goes backwards.
 */
export function isNewer(incoming: RegionSnapshot, current: RegionSnapshot | null | undefined): boolean {
  if (!current) {
    return true
  }
  if (incoming.version !== current.version) {
    return incoming.version > current.version
  }
  return Date.parse(incoming.asOf) > Date.parse(current.asOf)
}

/** The newer of two snapshots (the first on a tie). */
export function newest(a: RegionSnapshot | null | undefined, b: RegionSnapshot | null | undefined): RegionSnapshot | null {
  if (!a) {
    return b ?? null
  }
  return b && isNewer(b, a) ? b : a
}

export function isRegionSnapshot(value: unknown): value is RegionSnapshot {
  const v = value as Partial<RegionSnapshot> | null
  return typeof v === 'object' && v !== null && typeof v.region === 'string' && typeof v.version === 'number' && typeof v.asOf === 'string'
}

export function isLiveUpdate(value: unknown): value is LiveUpdate {
  const v = value as Partial<LiveUpdate> | null
  return typeof v === 'object' && v !== null && isRegionSnapshot(v.snapshot) && (v.patch === null || typeof v.patch?.base === 'object')
}
