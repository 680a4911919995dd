/** Arrays kept per length for reuse. */
const MAX_SPARE = 12
const spareInts = new Map<number, Int32Array<ArrayBuffer>[]>()
const spareDoubles = new Map<number, Float64Array<ArrayBuffer>[]>()

// A batch's index arrays are megabytes, and fresh memory costs a page fault per 4 kB (several µs each
// on a VM), more than filling it: released batches hand theirs to the next ones. Contents are stale.

export function takeInts(length: number): Int32Array<ArrayBuffer> {
  return spareInts.get(length)?.pop() ?? new Int32Array(length)
}

export function takeDoubles(length: number): Float64Array<ArrayBuffer> {
  return spareDoubles.get(length)?.pop() ?? new Float64Array(length)
}

export function giveBack(array: Int32Array<ArrayBuffer> | Float64Array<ArrayBuffer>): void {
  const spare = (array instanceof Int32Array ? spareInts : spareDoubles) as Map<number, typeof array[]>
  const list = spare.get(array.length) ?? []
  if (list.length < MAX_SPARE) {
    list.push(array)
    spare.set(array.length, list)
  }
}

/** A copy of the array at twice its length; the old one goes back for reuse. */
export function doubled<T extends Int32Array<ArrayBuffer> | Float64Array<ArrayBuffer>>(array: T): T {
  const bigger = (array instanceof Int32Array ? takeInts(array.length * 2) : takeDoubles(array.length * 2)) as T
  bigger.set(array)
  giveBack(array)
  return bigger
}
