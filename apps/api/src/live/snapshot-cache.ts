import type { RegionTree } from '@city/metrics'
import type { RegionSnapshot } from '@city/metrics/wire'
import { COMMIT_CHANNEL, type CommitNotice, type PubSub, type Queryable } from '@city/platform'
import { groupMinutes, loadMinutes, pruneMinutes, replaceMinutesFrom } from '../queries/minutes.js'
import { buildSnapshots, forgetFrom, minuteStarts, regionMinutes, snapshotEndMs, type RegionMinutes } from '../queries/snapshot-build.js'
import { loadSnapshotState, regionsOf } from '../queries/snapshot.js'

export interface SnapshotCacheOptions {
  db: Queryable
  tree: RegionTree
  /** Where commit notices arrive (COMMIT_CHANNEL); each says from which minute on it changed stored partials. */
  notices: PubSub
  timeZone: string
  staleAfterMs: number
  now: () => number
  /** Each cached region is re-read in full at least about this often: the bound on what a lost commit notice could hide. @default 60000 */
  reloadMs?: number
  /** A region no computation asked for in this long is forgotten. @default 30000 */
  keepMs?: number
}

export interface SnapshotCache {
  /** Snapshots of the rooms, each equal to loadSnapshot's at the same time; calls run one after another. */
  compute(rooms: string[]): Promise<RegionSnapshot[]>
  /** Forgets every cached minute (commit notices may have been lost): the next computation reads them all again. */
  invalidate(): void
  stop(): void
}

interface Entry extends RegionMinutes {
  /** The latest snapshot end its minutes were read or pruned for: they hold minuteStarts(coverEndMs) on. */
  coverEndMs: number
  /** When its minutes were last read in full (wall clock). */
  loadedAt: number
  usedAt: number
  /** The earliest minute a commit changed since its minutes were read; Infinity when none did. */
  staleFromMs: number
}

/**
 * The live publisher's snapshots without re-reading whole windows each time: per region, the stored
 * minute partials its snapshots read (see minuteStarts), kept current by commit notices. A computation
 * re-reads only the minutes from the earliest one a commit changed since, and everything else a
 * snapshot holds (today, cases, freshness) in a handful of statements for all rooms; then builds every
 * number exactly as loadSnapshot does, from the same rows.
 */
export function createSnapshotCache(options: SnapshotCacheOptions): SnapshotCache {
  const { db, tree, timeZone, staleAfterMs, now, reloadMs = 60_000, keepMs = 30_000 } = options
  const entries = new Map<string, Entry>()
  let queue: Promise<unknown> = Promise.resolve()

  const stopNotices = options.notices.subscribe(COMMIT_CHANNEL, (message) => {
    const notice = message as Partial<CommitNotice> | null
    if (!Array.isArray(notice?.regions) || notice.minuteFromMs === null) {
      return
    }
    if (typeof notice.minuteFromMs !== 'number') {
      // An ingest that does not say which minutes it changed: any of them may have.
      entries.clear()
      return
    }
    // Every region, not only those listed: a re-read from the current minute is cheap, a missed change is wrong.
    for (const entry of entries.values()) {
      entry.staleFromMs = Math.min(entry.staleFromMs, notice.minuteFromMs)
    }
  })

  /**
   * Regions whose minutes are read in full: new ones (or ones holding too little: the clock went back),
   * and the few longest read of those due a reload, so reloads spread over computations.
   */
  function toReload(regions: string[], endMs: number, wallMs: number): Set<string> {
    const loadedAt = (region: string) => {
      const entry = entries.get(region)
      return entry && entry.coverEndMs <= endMs ? entry.loadedAt : -Infinity
    }
    const due = regions.filter((region) => wallMs - loadedAt(region) >= reloadMs).sort((a, b) => loadedAt(a) - loadedAt(b))
    const missing = due.filter((region) => loadedAt(region) === -Infinity)
    return new Set([...missing, ...due.slice(missing.length, missing.length + Math.ceil(entries.size / 16))])
  }

  async function computeNow(rooms: string[]): Promise<RegionSnapshot[]> {
    const wallMs = Date.now()
    const snapshotOptions = { nowMs: now(), timeZone, staleAfterMs }
    const endMs = snapshotEndMs(snapshotOptions.nowMs)
    const starts = minuteStarts(endMs)
    for (const [region, entry] of entries) {
      if (wallMs - entry.usedAt > keepMs) {
        entries.delete(region)
      }
    }
    const regions = regionsOf(tree, rooms)
    const reload = toReload(regions, endMs, wallMs)
    const stale = regions.filter((region) => !reload.has(region) && entries.get(region)!.staleFromMs < Infinity)
    const fromMs = Math.min(...stale.map((region) => entries.get(region)!.staleFromMs))
    // Claimed before reading: a notice that arrives meanwhile marks them stale again for the next computation.
    for (const region of reload) {
      entries.set(region, { ...regionMinutes(), coverEndMs: endMs, loadedAt: wallMs, usedAt: wallMs, staleFromMs: Infinity })
    }
    stale.forEach((region) => (entries.get(region)!.staleFromMs = Infinity))
    const used = new Map(regions.map((region) => [region, entries.get(region)!]))
    try {
      const [loaded, changed, state] = await Promise.all([
        reload.size > 0 ? loadMinutes(db, [...reload], starts) : [],
        stale.length > 0 ? loadMinutes(db, stale, new Map([...starts].map(([metric, start]) => [metric, Math.max(start, fromMs)]))) : [],
        loadSnapshotState(db, tree, rooms, snapshotOptions),
      ])
      const loadedByRegion = groupMinutes(loaded)
      reload.forEach((region) => (used.get(region)!.series = loadedByRegion.get(region) ?? new Map()))
      const changedByRegion = groupMinutes(changed)
      for (const region of stale) {
        const entry = used.get(region)!
        replaceMinutesFrom(entry.series, fromMs, changedByRegion.get(region))
        forgetFrom(entry, fromMs)
      }
      for (const entry of used.values()) {
        entry.usedAt = wallMs
        entry.coverEndMs = endMs
        pruneMinutes(entry.series, starts)
      }
      return buildSnapshots(tree, rooms, (region) => used.get(region), state, snapshotOptions)
    } catch (error) {
      [...reload, ...stale].forEach((region) => entries.delete(region))
      throw error
    }
  }

  return {
    compute(rooms) {
      const run = queue.then(() => computeNow(rooms))
      queue = run.catch(() => undefined)
      return run
    },
    invalidate: () => entries.clear(),
    stop: stopNotices,
  }
}
