import { localDayStart, type RegionTree } from '@city/metrics'
import type { RegionSnapshot } from '@city/metrics/wire'
import type { Queryable } from '@city/platform'
import { loadPartials, type PartialRow } from './partials.js'
import { caseCounts, recentCases } from './cases.js'
import { groupMinutes, loadMinutes } from './minutes.js'
import { buildSnapshots, minuteStarts, regionMinutes, snapshotEndMs, type Freshness, type SnapshotOptions, type SnapshotState } from './snapshot-build.js'

const RECENT_CASES = 20

/** Each room and its children, once. */
export function regionsOf(tree: RegionTree, rooms: readonly string[]): string[] {
  return [...new Set(rooms.flatMap((room) => [room, ...tree.children(room).map((c) => c.id)]))]
}

/** The rooms not inside another of them: every room and child lies in one of these. */
function outermost(tree: RegionTree, rooms: readonly string[]): string[] {
  const set = new Set(rooms)
  return [...set].filter((room) => !tree.get(room)!.lineage.slice(1).some((ancestor) => set.has(ancestor)))
}

/** The state of some rooms (and their children), one statement per kind for all of them. */
export async function loadSnapshotState(db: Queryable, tree: RegionTree, rooms: string[], options: SnapshotOptions): Promise<SnapshotState> {
  const regions = regionsOf(tree, rooms)
  const dayMs = localDayStart(options.nowMs, options.timeZone)
  const [days, counts, cases, freshness] = await Promise.all([
    loadPartials(db, 'agg_1d', regions, null, dayMs, dayMs + 1),
    caseCounts(db, regions, outermost(tree, rooms), options.nowMs),
    recentCases(db, rooms, options.nowMs, RECENT_CASES),
    regionFreshness(db, regions),
  ])
  const byRegion = new Map<string, PartialRow[]>()
  days.forEach((row) => byRegion.set(row.region, [...(byRegion.get(row.region) ?? []), row]))
  return { days: byRegion, counts, cases, freshness }
}

/**
 * The live view of a region and its children, computed from stored partials: "current" merges the
 * metric's trailing window of minute buckets, "today" the local day's bucket, so every number on screen
 * is a merge of exactly the stored rows. The live publisher computes the same from cached minutes.
 */
export async function loadSnapshot(db: Queryable, tree: RegionTree, regionId: string, options: SnapshotOptions): Promise<RegionSnapshot> {
  const [minutes, state] = await Promise.all([
    loadMinutes(db, regionsOf(tree, [regionId]), minuteStarts(snapshotEndMs(options.nowMs))),
    loadSnapshotState(db, tree, [regionId], options),
  ])
  const series = groupMinutes(minutes)
  return buildSnapshots(tree, [regionId], (region) => regionMinutes(series.get(region)), state, options)[0]!
}

async function regionFreshness(db: Queryable, regions: string[]): Promise<Map<string, Freshness>> {
  const { rows } = await db.query<{ region: string, version: number, event_time: Date | null, committed_at: Date }>(
    'select region, version::float8 as version, event_time, committed_at from region_state where region = any($1::text[])', [regions],
  )
  return new Map(rows.map((r) => [r.region, {
    version: Number(r.version),
    eventTime: r.event_time ? new Date(r.event_time).toISOString() : null,
    committedAt: new Date(r.committed_at).toISOString(),
  }]))
}
