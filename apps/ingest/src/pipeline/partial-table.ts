import { PartialColumns, type Partial } from '@city/metrics'
import { doubled, giveBack, takeInts } from './spare-arrays.js'

export interface BucketPartial {
  region: string
  metric: string
  bucketMs: number
  partial: Partial
}

/** One region in one time bucket: the head of the chain of its rows (a handful, one per metric). */
export class BucketCell {
  first = -1
  /** Newest event time of the messages folded into this cell (leaf tables only). */
  newestMs = -Infinity

  constructor(readonly region: string, readonly bucketMs: number, readonly index: number) {}
}

/** Metric names are few and shared by every table: rows keep their index. */
const metricIds = new Map<string, number>()
const metricNames: string[] = []

/** A metric's number in every table: callers that fold every message look rows up by it, not by name. */
export function metricId(metric: string): number {
  let id = metricIds.get(metric)
  if (id === undefined) {
    id = metricNames.push(metric) - 1
    metricIds.set(metric, id)
  }
  return id
}

/**
 * Partials keyed by (region, metric, bucket), in columns (see PartialColumns). Lookups go bucket →
 * region through a map of numbers and a map of strings the code already holds, then along the cell's
 * short chain of rows, rather than a `${region}|${metric}|${bucket}` string per observation. Per row
 * there are only numbers in typed arrays: building, hashing and collecting those strings and the objects
 * behind every partial were most of the aggregation's cost.
 */
export class PartialTable {
  readonly columns = new PartialColumns()
  /** Every cell, in the order they were added (cell.index). */
  readonly cells: BucketCell[] = []
  private rowCell = takeInts(1024)
  private rowMetric = takeInts(1024)
  /** The next row of the same cell, or -1. */
  private nextInCell = takeInts(1024)
  private readonly index = new Map<number, Map<string, BucketCell>>()
  private released = false
  private lastBucketMs = Number.NaN
  private lastRegions: Map<string, BucketCell> | undefined

  get size(): number {
    if (this.released) {
      throw new Error('this table was released (its batch is committed)')
    }
    return this.columns.size
  }

  /** Hands the arrays over for reuse; the table refuses any use after. */
  release(): void {
    if (this.released) {
      return
    }
    this.released = true
    this.columns.release()
    for (const a of [this.rowCell, this.rowMetric, this.nextInCell]) {
      giveBack(a)
    }
    this.rowCell = this.rowMetric = this.nextInCell = new Int32Array(0)
    this.cells.length = 0
    this.index.clear()
    this.lastRegions = undefined
    this.lastBucketMs = Number.NaN
  }

  /** Region → newest event time over its cells. */
  newestByRegion(): Map<string, number> {
    const out = new Map<string, number>()
    for (const { region, newestMs } of this.cells) {
      if (newestMs > (out.get(region) ?? -Infinity)) {
        out.set(region, newestMs)
      }
    }
    return out
  }

  regionOf(i: number): string {
    return this.cells[this.rowCell[i]!]!.region
  }

  metricOf(i: number): string {
    return metricNames[this.rowMetric[i]!]!
  }

  bucketOf(i: number): number {
    return this.cells[this.rowCell[i]!]!.bucketMs
  }

  /** A region's rows in a bucket. */
  cell(region: string, bucketMs: number): BucketCell {
    let regions = this.lastBucketMs === bucketMs ? this.lastRegions : this.index.get(bucketMs)
    if (!regions) {
      regions = new Map()
      this.index.set(bucketMs, regions)
    }
    this.lastBucketMs = bucketMs
    this.lastRegions = regions
    let cell = regions.get(region)
    if (!cell) {
      if (this.released) {
        throw new Error('this table was released (its batch is committed)')
      }
      cell = new BucketCell(region, bucketMs, this.cells.length)
      this.cells.push(cell)
      regions.set(region, cell)
    }
    return cell
  }

  /** The row of a metric (its metricId) in a cell, or -1. */
  find(cell: BucketCell, metric: number): number {
    for (let i = cell.first; i >= 0; i = this.nextInCell[i]!) {
      if (this.rowMetric[i] === metric) {
        return i
      }
    }
    return -1
  }

  /** The row of a metric (its metricId) in a cell, added empty on first use. */
  rowIn(cell: BucketCell, metric: number): number {
    const found = this.find(cell, metric)
    return found >= 0 ? found : this.register(cell, metric, this.columns.add())
  }

  /** The row of (region, metric, bucket), added empty on first use. */
  row(region: string, metric: string, bucketMs: number): number {
    return this.rowIn(this.cell(region, bucketMs), metricId(metric))
  }

  /** Merges every row of a cell of another (or this) table into this table's cell `into`, metric by metric. */
  mergeCell(into: BucketCell, from: PartialTable, cell: BucketCell): void {
    for (let j = cell.first; j >= 0; j = from.nextInCell[j]!) {
      const metric = from.rowMetric[j]!
      const found = this.find(into, metric)
      if (found >= 0) {
        this.columns.merge(found, from.columns, j)
      } else {
        this.register(into, metric, this.columns.append(from.columns, j))
      }
    }
  }

  /** The cells that hold rows. */
  filledCells(): BucketCell[] {
    return this.cells.filter((cell) => cell.first >= 0)
  }

  /** A cell's rows. */
  rowsOf(cell: BucketCell): number[] {
    const out: number[] = []
    for (let i = cell.first; i >= 0; i = this.nextInCell[i]!) {
      out.push(i)
    }
    return out
  }

  /** Row i as an object of its own. */
  rowAt(i: number): BucketPartial {
    return { region: this.regionOf(i), metric: this.metricOf(i), bucketMs: this.bucketOf(i), partial: this.columns.partial(i) }
  }

  /** Every row as an object of its own. */
  toRows(): BucketPartial[] {
    return Array.from({ length: this.size }, (_, i) => this.rowAt(i))
  }

  private register(cell: BucketCell, metric: number, i: number): number {
    if (i >= this.rowCell.length) {
      this.rowCell = doubled(this.rowCell)
      this.rowMetric = doubled(this.rowMetric)
      this.nextInCell = doubled(this.nextInCell)
    }
    this.rowCell[i] = cell.index
    this.rowMetric[i] = metric
    this.nextInCell[i] = cell.first
    cell.first = i
    return i
  }
}
