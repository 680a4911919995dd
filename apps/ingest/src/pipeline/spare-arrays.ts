/** Arrays kept per type and length for reuse. */
const MAX_SPARE = 12
type Spare = Int32Array<ArrayBuffer> | Float64Array<ArrayBuffer> | Uint16Array<ArrayBuffer>
const spares = new Map<string, Map<number, Spare[]>>([['Int32Array', new Map()], ['Float64Array', new Map()], ['Uint16Array', new Map()]])

// A batch's index arrays are megabytes, and fresh memory costs a page fault per 4 kB (several µs each
// on a VM), more than filling it: released batches hand theirs to the next ones. Contents are stale.

type Make<T extends Spare> = new (length: number) => T

function take<T extends Spare>(make: Make<T>, length: number): T {
  return (spares.get(make.name)!.get(length)?.pop() as T | undefined) ?? new make(length)
}

export const takeInts = (length: number) => take(Int32Array as Make<Int32Array<ArrayBuffer>>, length)
export const takeDoubles = (length: number) => take(Float64Array as Make<Float64Array<ArrayBuffer>>, length)
export const takeUint16s = (length: number) => take(Uint16Array as Make<Uint16Array<ArrayBuffer>>, length)

export function giveBack(array: Spare): void {
  const spare = spares.get(array.constructor.name)!
  const list = spare.get(array.length) ?? []
  if (list.length < MAX_SPARE) {
    list.push(array)
    spare.set(array.length, list)
  }
}

/** A copy of the array at twice its length; the old one goes back for reuse. */
export function doubled<T extends Spare>(array: T): T {
  const bigger = take(array.constructor as Make<T>, array.length * 2)
  bigger.set(array)
  giveBack(array)
  return bigger
}
