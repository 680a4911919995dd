import { PartialColumns, type Partial } from '@city/metrics'

export interface BucketPartial {
  region: string
  metric: string
  bucketMs: number
  partial: Partial
}

/** One region in one time bucket: the head of the chain of its rows (a handful, one per metric). */
export class BucketCell {
  first = -1

  constructor(readonly region: string, readonly bucketMs: number, readonly index: number) {}
}

/** Metric names are few and shared by every table: rows keep their index. */
const metricIds = new Map<string, number>()
const metricNames: string[] = []

function metricId(metric: string): number {
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
  private readonly cells: BucketCell[] = []
  private rowCell = new Int32Array(1024)
  private rowMetric = new Int32Array(1024)
  /** The next row of the same cell, or -1. */
  private nextInCell = new Int32Array(1024)
  private readonly index = new Map<number, Map<string, BucketCell>>()
  private lastBucketMs = Number.NaN
  private lastRegions: Map<string, BucketCell> | undefined

  get size(): number {
    return this.columns.size
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
      cell = new BucketCell(region, bucketMs, this.cells.length)
      this.cells.push(cell)
      regions.set(region, cell)
    }
    return cell
  }

  /** The row of a metric in a cell, or -1. */
  find(cell: BucketCell, metric: string): number {
    for (let i = cell.first; i >= 0; i = this.nextInCell[i]!) {
      if (metricNames[this.rowMetric[i]!] === metric) {
        return i
      }
    }
    return -1
  }

  /** The row of a metric in a cell, added empty on first use. */
  rowIn(cell: BucketCell, metric: string): number {
    const found = this.find(cell, metric)
    return found >= 0 ? found : this.register(cell, metric, this.columns.add())
  }

  /** The row of (region, metric, bucket), added empty on first use. */
  row(region: string, metric: string, bucketMs: number): number {
    return this.rowIn(this.cell(region, bucketMs), metric)
  }

  /** Merges row j of another (or this) table into (region, metric, bucket); true when that row is new. */
  merge(region: string, metric: string, bucketMs: number, from: PartialTable, j: number): boolean {
    const cell = this.cell(region, bucketMs)
    const found = this.find(cell, metric)
    if (found >= 0) {
      this.columns.merge(found, from.columns, j)
      return false
    }
    this.register(cell, metric, this.columns.append(from.columns, j))
    return true
  }

  /** Every row's bucket, comma-joined (for a statement parameter). */
  buckets(): string {
    const out = new Array<number>(this.size)
    for (let i = 0; i < this.size; i++) {
      out[i] = this.bucketOf(i)
    }
    return out.join(',')
  }

  /** Row i as an object of its own. */
  rowAt(i: number): BucketPartial {
    return { region: this.regionOf(i), metric: this.metricOf(i), bucketMs: this.bucketOf(i), partial: this.columns.partial(i) }
  }

  /** Every row as an object of its own. */
  toRows(): BucketPartial[] {
    return Array.from({ length: this.size }, (_, i) => this.rowAt(i))
  }

  private register(cell: BucketCell, metric: string, i: number): number {
    if (i >= this.rowCell.length) {
      this.rowCell = grow(this.rowCell)
      this.rowMetric = grow(this.rowMetric)
      this.nextInCell = grow(this.nextInCell)
    }
    this.rowCell[i] = cell.index
    this.rowMetric[i] = metricId(metric)
    this.nextInCell[i] = cell.first
    cell.first = i
    return i
  }
}

function grow(array: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> {
  const bigger = new Int32Array(array.length * 2)
  bigger.set(array)
  return bigger
}
