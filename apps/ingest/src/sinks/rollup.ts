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
  // Cells without rows (a work order's, whose counts fold elsewhere) are skipped: no empty rows above them.
  for (const cell of leaves.cells) {
    if (cell.first < 0) {
      continue
    }
    hours.mergeCell(hours.cell(cell.region, hourStart(cell.bucketMs)), leaves, cell)
  }
  // A day holds whole hours: the local day of an hour's start (zones off the hour keep that rule).
  const days = new PartialTable()
  const dayOf = new Map<number, number>()
  for (const cell of hours.cells) {
    let day = dayOf.get(cell.bucketMs)
    if (day === undefined) {
      day = localDayStart(cell.bucketMs, timeZone)
      dayOf.set(cell.bucketMs, day)
    }
    days.mergeCell(days.cell(cell.region, day), hours, cell)
  }
  for (const table of [leaves, hours, days]) {
    addAncestors(table, tree)
  }
  return { '1m': leaves, '1h': hours, '1d': days }
}

/** Merges every cell into its parent region's cell, deepest level first, so each parent is whole before it moves up. */
function addAncestors(table: PartialTable, tree: RegionTree): void {
  const { cells } = table
  const depthOf: number[] = []
  let deepest = 0
  for (const cell of cells) {
    deepest = Math.max(deepest, depthOf[cell.index] = tree.get(cell.region)!.lineage.length - 1)
  }
  for (let depth = deepest; depth > 0; depth--) {
    // Parents added on the way sit one level up: this pass skips them, the next takes them.
    for (let c = 0; c < cells.length; c++) {
      const cell = cells[c]!
      if (depthOf[c] !== depth || cell.first < 0) {
        continue
      }
      const parent = table.cell(tree.get(cell.region)!.parent!, cell.bucketMs)
      depthOf[parent.index] = depth - 1
      table.mergeCell(parent, table, cell)
    }
  }
}
