import { hourStart, localDayStart, type RegionTree } from '@city/metrics'
import { PartialTable } from '../pipeline/partial-table.js'

export type Resolution = '1m' | '1h' | '1d'

/**
 * Leaf minute partials → partials for every ancestor and for the hour and local-day buckets, merged per
 * (region, metric, bucket). Because partials merge exactly, each row equals a computation from raw data.
 * That also lets the work shrink at every step: hours merge from the leaves' minutes, days from the
 * leaves' hours, and each region from its children's rows, deepest level first, rather than every leaf
 * into every ancestor at every resolution. The leaves table is taken over: it becomes the minute table,
 * with the ancestors' rows added (a batch is committed once, and copying it cost as much as the rest).
 */
export function rollUp(leaves: PartialTable, tree: RegionTree, timeZone: string): Record<Resolution, PartialTable> {
  const hours = new PartialTable()
  for (let j = 0; j < leaves.size; j++) {
    hours.merge(leaves.regionOf(j), leaves.metricOf(j), hourStart(leaves.bucketOf(j)), leaves, j)
  }
  // A day holds whole hours: the local day of an hour's start (zones off the hour keep that rule).
  const days = new PartialTable()
  const dayOf = new Map<number, number>()
  for (let j = 0; j < hours.size; j++) {
    const hour = hours.bucketOf(j)
    let day = dayOf.get(hour)
    if (day === undefined) {
      day = localDayStart(hour, timeZone)
      dayOf.set(hour, day)
    }
    days.merge(hours.regionOf(j), hours.metricOf(j), day, hours, j)
  }
  for (const table of [leaves, hours, days]) {
    addAncestors(table, tree)
  }
  return { '1m': leaves, '1h': hours, '1d': days }
}

/** Merges every row into its parent region's row, deepest level first, so each parent is whole before it moves up. */
function addAncestors(table: PartialTable, tree: RegionTree): void {
  let depthOf = new Int32Array(Math.max(64, 2 * table.size))
  let deepest = 0
  for (let i = 0; i < table.size; i++) {
    depthOf[i] = tree.get(table.regionOf(i))!.lineage.length - 1
    deepest = Math.max(deepest, depthOf[i]!)
  }
  for (let depth = deepest; depth > 0; depth--) {
    // Parents added on the way sit one level up: this pass skips them, the next takes them.
    for (let i = 0; i < table.size; i++) {
      if (depthOf[i] !== depth) {
        continue
      }
      if (table.merge(tree.get(table.regionOf(i))!.parent!, table.metricOf(i), table.bucketOf(i), table, i)) {
        if (table.size > depthOf.length) {
          const bigger = new Int32Array(2 * depthOf.length)
          bigger.set(depthOf)
          depthOf = bigger
        }
        depthOf[table.size - 1] = depth - 1
      }
    }
  }
}
