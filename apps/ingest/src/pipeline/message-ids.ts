/**
 * The ids of the messages a batch accepted, with their event times: an insertion-ordered set for
 * deduplication within the batch. Tens of thousands of ids stay alive until the batch commits; in a Map
 * each costs an entry, a boxed time and rehashing of a large table, and the garbage collector copies
 * them all. Here the ids sit in one array, the times in a Float64Array and the hash index in an
 * Int32Array: only the strings themselves are objects.
 */
export class MessageIds {
  private ids: string[] = []
  private times = new Float64Array(1024)
  private hashes = new Int32Array(1024)
  /** Open addressing, linear probing: slot → index + 1 into ids (0 = empty). At most half full. */
  private slots = new Int32Array(2048)

  get size(): number {
    return this.ids.length
  }

  has(id: string): boolean {
    return this.indexOf(id, hashOf(id)) >= 0
  }

  /** Event time of an id, or undefined. */
  get(id: string): number | undefined {
    const i = this.indexOf(id, hashOf(id))
    return i < 0 ? undefined : this.times[i]
  }

  /** Adds an id with its event time; false (and nothing changes) when it is already here. */
  add(id: string, tsMs: number): boolean {
    const hash = hashOf(id)
    const mask = this.slots.length - 1
    let slot = hash & mask
    for (let k = this.slots[slot]!; k !== 0; k = this.slots[slot]!) {
      if (this.hashes[k - 1] === hash && this.ids[k - 1] === id) {
        return false
      }
      slot = (slot + 1) & mask
    }
    const i = this.ids.length
    if (i === this.times.length) {
      this.times = grow(this.times)
      this.hashes = grow(this.hashes)
    }
    this.ids.push(id)
    this.times[i] = tsMs
    this.hashes[i] = hash
    this.slots[slot] = i + 1
    if (2 * this.ids.length > this.slots.length) {
      this.rehash()
    }
    return true
  }

  /** The ids in the order they were added. */
  keys(): readonly string[] {
    return this.ids
  }

  /** Their event times, in the same order. */
  values(): number[] {
    return Array.from(this.times.subarray(0, this.ids.length))
  }

  private indexOf(id: string, hash: number): number {
    const mask = this.slots.length - 1
    for (let slot = hash & mask, k = this.slots[slot]!; k !== 0; slot = (slot + 1) & mask, k = this.slots[slot]!) {
      if (this.hashes[k - 1] === hash && this.ids[k - 1] === id) {
        return k - 1
      }
    }
    return -1
  }

  private rehash(): void {
    this.slots = new Int32Array(this.slots.length * 2)
    const mask = this.slots.length - 1
    for (let i = 0; i < this.ids.length; i++) {
      let slot = this.hashes[i]! & mask
      while (this.slots[slot] !== 0) {
        slot = (slot + 1) & mask
      }
      this.slots[slot] = i + 1
    }
  }
}

function grow<T extends Float64Array | Int32Array>(array: T): T {
  const bigger = new (array.constructor as new (n: number) => T)(array.length * 2)
  bigger.set(array)
  return bigger
}

/** FNV-1a over the UTF-16 code units. */
function hashOf(text: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    h = Math.imul(h ^ text.charCodeAt(i), 0x01000193)
  }
  return h
}
