import type { AggKind } from '../catalog/metrics.js'
import { bucketOf } from './histogram.js'
import { isNewerReport, type LatestEntry, type Partial } from './partial.js'

type Histogram = Record<string, number>
/** Entries are replaced, never changed in place: rows share them. */
type Latest = Record<string, Readonly<LatestEntry>>
/**
 * A histogram as [bucket, count, bucket, count, …]. Most rows of a batch hold a handful of
 * observations; as an object keyed by bucket numbers, V8 gives each a backing store of about 70 slots
 * (680 bytes), which the garbage collector then copies until the batch commits. Here: a few numbers.
 */
type Buckets = number[]

/** A row's histogram and latest-per-device map, which only a few metrics have. */
interface Extra {
  hist: Buckets | undefined
  last: Latest | undefined
  /** Another row holds the same objects: copy them before changing them. */
  shared: boolean
}

const INITIAL_ROWS = 1024
/** Arrays kept per length for reuse. */
const MAX_SPARE = 12
const spareDoubles = new Map<number, Float64Array<ArrayBuffer>[]>()
const spareInts = new Map<number, Int32Array<ArrayBuffer>[]>()

// Released tables hand their arrays to the next ones: a batch's arrays are tens of megabytes, and fresh
// memory costs a page fault per 4 kB (several µs each on a VM), more than filling it.
function take<T extends Float64Array<ArrayBuffer> | Int32Array<ArrayBuffer>>(spare: Map<number, T[]>, length: number, make: (n: number) => T): T {
  return spare.get(length)?.pop() ?? make(length)
}

function give<T extends Float64Array<ArrayBuffer> | Int32Array<ArrayBuffer>>(spare: Map<number, T[]>, array: T): void {
  const list = spare.get(array.length) ?? []
  if (list.length < MAX_SPARE) {
    list.push(array)
    spare.set(array.length, list)
  }
}

/** Adds count observations to bucket b. */
function addToBuckets(buckets: Buckets, b: number, count: number): void {
  for (let j = 0; j < buckets.length; j += 2) {
    if (buckets[j] === b) {
      buckets[j + 1]! += count
      return
    }
  }
  buckets.push(b, count)
}

const doubles = (n: number) => take(spareDoubles, n, (k) => new Float64Array(k))
const ints = (n: number) => take(spareInts, n, (k) => new Int32Array(k))

/**
 * Many partials in columns: counts, sums, weights and extremes in typed arrays; the few histograms and
 * latest-per-device maps as objects. Rows follow exactly the math of `observe`, `observeLatest`,
 * `retract` and `mergeInto` on Partial objects (partial-columns.test.ts holds them together). A batch
 * of tens of thousands of partials kept as objects is an object and four boxed numbers each, which the
 * garbage collector copies while the batch fills; here they are a few arrays.
 */
export class PartialColumns {
  /** Rows in use. */
  size = 0
  n = doubles(INITIAL_ROWS)
  sum = doubles(INITIAL_ROWS)
  w = doubles(INITIAL_ROWS)
  min = doubles(INITIAL_ROWS)
  max = doubles(INITIAL_ROWS)
  /** Row → 1 + its index in extras, or 0. */
  private extraOf = ints(INITIAL_ROWS)
  private extras: Extra[] = []
  private released = false

  /** Appends an empty partial and returns its row. */
  add(): number {
    const i = this.size
    if (i === this.n.length) {
      this.grow()
    }
    // Arrays may come from a released table: every field is set.
    this.n[i] = 0
    this.sum[i] = 0
    this.w[i] = 0
    this.min[i] = Infinity
    this.max[i] = -Infinity
    this.extraOf[i] = 0
    this.size = i + 1
    return i
  }

  /**
   * Hands the arrays over for reuse by later tables; the table is empty and refuses new rows after.
   * Partial objects made from it (`partial()`) stay valid.
   */
  release(): void {
    if (this.released) {
      return
    }
    this.released = true
    for (const a of [this.n, this.sum, this.w, this.min, this.max]) {
      give(spareDoubles, a)
    }
    give(spareInts, this.extraOf)
    this.size = 0
    this.n = this.sum = this.w = this.min = this.max = new Float64Array(0)
    this.extraOf = new Int32Array(0)
    this.extras = []
  }

  /** The histogram of row i, if it has one, as a new object. */
  histOf(i: number): Histogram | undefined {
    const k = this.extraOf[i]!
    const buckets = k === 0 ? undefined : this.extras[k - 1]!.hist
    if (buckets === undefined) {
      return undefined
    }
    const hist: Histogram = {}
    for (let j = 0; j < buckets.length; j += 2) {
      hist[buckets[j]!] = buckets[j + 1]!
    }
    return hist
  }

  /** The latest-per-device map of row i, if it has one. */
  lastOf(i: number): Readonly<Latest> | undefined {
    const k = this.extraOf[i]!
    return k === 0 ? undefined : this.extras[k - 1]!.last
  }

  /** `observe` on row i. */
  observe(i: number, kind: AggKind, value: number, weight = 1): void {
    this.n[i]! += 1
    if (kind === 'sum') {
      this.sum[i]! += value
      return
    }
    if (value < this.min[i]!) {
      this.min[i] = value
    }
    if (value > this.max[i]!) {
      this.max[i] = value
    }
    switch (kind) {
      case 'mean':
        this.sum[i]! += value
        return
      case 'weighted_mean':
        this.sum[i]! += value * weight
        this.w[i]! += weight
        return
      case 'ratio':
        this.sum[i]! += value
        this.w[i]! += weight
        return
      case 'energy_mean':
        this.sum[i]! += 10 ** (value / 10)
        return
      case 'histogram':
        addToBuckets((this.ownExtra(i).hist ??= []), bucketOf(value), 1)
        return
      case 'latest_sum':
        throw new Error('latest_sum partials take observeLatest()')
    }
  }

  /** `observeLatest` on row i. */
  observeLatest(i: number, device: string, tsMs: number, a: number, b: number): void {
    this.n[i]! += 1
    const last = (this.ownExtra(i).last ??= {})
    const entry: LatestEntry = [tsMs, a, b]
    const current = last[device]
    if (!current || isNewerReport(entry, current)) {
      last[device] = entry
    }
  }

  /** `retract` on row i. */
  retract(i: number, value: number): void {
    this.n[i]! -= 1
    this.sum[i]! -= value
  }

  /** `mergeInto` row i from row j of another (or this) table. */
  merge(i: number, from: PartialColumns, j: number): void {
    this.n[i]! += from.n[j]!
    this.sum[i]! += from.sum[j]!
    this.w[i]! += from.w[j]!
    this.min[i] = Math.min(this.min[i]!, from.min[j]!)
    this.max[i] = Math.max(this.max[i]!, from.max[j]!)
    const k = from.extraOf[j]!
    if (k === 0) {
      return
    }
    const { hist, last } = from.extras[k - 1]!
    if (hist) {
      const into = (this.ownExtra(i).hist ??= [])
      for (let j = 0; j < hist.length; j += 2) {
        addToBuckets(into, hist[j]!, hist[j + 1]!)
      }
    }
    if (last) {
      const into = (this.ownExtra(i).last ??= {})
      for (const device in last) {
        const entry = last[device]!
        const current = into[device]
        if (!current || isNewerReport(entry, current)) {
          // Shared, not copied: entries are replaced, never changed in place (partial() copies them out).
          into[device] = entry
        }
      }
    }
  }

  /**
   * Appends a copy of row j of another (or this) table: numbers copied, its histogram and device map
   * shared until either side would change them. Equal to merging it into an empty row.
   */
  append(from: PartialColumns, j: number): number {
    const i = this.add()
    this.n[i] = from.n[j]!
    this.sum[i] = from.sum[j]!
    this.w[i] = from.w[j]!
    this.min[i] = from.min[j]!
    this.max[i] = from.max[j]!
    const k = from.extraOf[j]!
    if (k !== 0) {
      const extra = from.extras[k - 1]!
      extra.shared = true
      this.extras.push({ hist: extra.hist, last: extra.last, shared: true })
      this.extraOf[i] = this.extras.length
    }
    return i
  }

  /** Row i as a Partial object of its own. */
  partial(i: number): Partial {
    const p: Partial = { n: this.n[i]!, sum: this.sum[i]!, w: this.w[i]!, min: this.min[i]!, max: this.max[i]! }
    const hist = this.histOf(i)
    const last = this.lastOf(i)
    if (hist) {
      p.hist = hist
    }
    if (last) {
      p.last = Object.fromEntries(Object.entries(last).map(([device, entry]) => [device, [...entry] as LatestEntry]))
    }
    return p
  }

  /** Row i as a live Partial: reading and writing its fields reads and writes the row (its histogram reads as a copy: assign it to change it). */
  view(i: number): Partial {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the accessors below close over the table
    const t = this
    return {
      get n() { return t.n[i]! },
      set n(v) { t.n[i] = v },
      get sum() { return t.sum[i]! },
      set sum(v) { t.sum[i] = v },
      get w() { return t.w[i]! },
      set w(v) { t.w[i] = v },
      get min() { return t.min[i]! },
      set min(v) { t.min[i] = v },
      get max() { return t.max[i]! },
      set max(v) { t.max[i] = v },
      get hist() { return t.histOf(i) },
      set hist(v) { t.ownExtra(i).hist = v && Object.entries(v).flatMap(([b, count]) => [Number(b), count]) },
      get last() { return t.lastOf(i) },
      set last(v) { t.ownExtra(i).last = v },
    } as Partial
  }

  /** Row i's extra objects, created on first use and copied first if shared. */
  private ownExtra(i: number): Extra {
    const k = this.extraOf[i]!
    if (k === 0) {
      const extra: Extra = { hist: undefined, last: undefined, shared: false }
      this.extras.push(extra)
      this.extraOf[i] = this.extras.length
      return extra
    }
    const extra = this.extras[k - 1]!
    if (extra.shared) {
      extra.shared = false
      extra.hist &&= extra.hist.slice()
      extra.last &&= { ...extra.last }
    }
    return extra
  }

  private grow(): void {
    if (this.released) {
      throw new Error('this table was released')
    }
    const rows = this.n.length * 2
    const bigger = <T extends Float64Array<ArrayBuffer> | Int32Array<ArrayBuffer>>(a: T, make: (n: number) => T, spare: Map<number, T[]>): T => {
      const b = make(rows)
      b.set(a)
      give(spare, a)
      return b
    }
    this.n = bigger(this.n, doubles, spareDoubles)
    this.sum = bigger(this.sum, doubles, spareDoubles)
    this.w = bigger(this.w, doubles, spareDoubles)
    this.min = bigger(this.min, doubles, spareDoubles)
    this.max = bigger(this.max, doubles, spareDoubles)
    this.extraOf = bigger(this.extraOf, ints, spareInts)
  }
}
