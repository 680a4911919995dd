import { doubled, giveBack, takeDoubles, takeInts } from './spare-arrays.js'

const CHUNK = 4096

/**
 * The ids of the messages a batch accepted, with their event times: an insertion-ordered set for
 * deduplication within the batch. Tens of thousands of ids stay alive until the batch commits; in a Map
 * each costs an entry, a boxed time and rehashing of a large table, and the garbage collector copies
 * them all. Here the ids sit in arrays of CHUNK, the times in a Float64Array and the hash index in an
 * Int32Array: only the strings themselves are objects.
 */
export class MessageIds {
  /** The ids in chunks of CHUNK: one growing array of tens of thousands would be reallocated and copied, outside the young generation. */
  private chunks: string[][] = [[]]
  private count = 0
  private times = takeDoubles(1024)
  private hashes = takeInts(1024)
  /** Open addressing, linear probing: slot → index + 1 into ids (0 = empty). At most half full. */
  private slots = takeInts(2048).fill(0)

  get size(): number {
    return this.count
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
    this.assertLive()
    const hash = hashOf(id)
    const mask = this.slots.length - 1
    let slot = hash & mask
    for (let k = this.slots[slot]!; k !== 0; k = this.slots[slot]!) {
      if (this.hashes[k - 1] === hash && this.idAt(k - 1) === id) {
        return false
      }
      slot = (slot + 1) & mask
    }
    const i = this.count
    if (i === this.times.length) {
      this.times = doubled(this.times)
      this.hashes = doubled(this.hashes)
    }
    let chunk = this.chunks[this.chunks.length - 1]!
    if (chunk.length === CHUNK) {
      chunk = []
      this.chunks.push(chunk)
    }
    chunk.push(id)
    this.count = i + 1
    this.times[i] = tsMs
    this.hashes[i] = hash
    this.slots[slot] = i + 1
    if (2 * this.count > this.slots.length) {
      this.rehash()
    }
    return true
  }

  /** The ids in the order they were added. */
  keys(): string[] {
    return this.chunks.flat()
  }

  /** Their event times, in the same order. */
  values(): number[] {
    return Array.from(this.times.subarray(0, this.count))
  }

  private indexOf(id: string, hash: number): number {
    this.assertLive()
    const mask = this.slots.length - 1
    for (let slot = hash & mask, k = this.slots[slot]!; k !== 0; slot = (slot + 1) & mask, k = this.slots[slot]!) {
      if (this.hashes[k - 1] === hash && this.idAt(k - 1) === id) {
        return k - 1
      }
    }
    return -1
  }

  /** Hands the arrays over for reuse; the set is empty after. */
  release(): void {
    for (const a of [this.times, this.hashes, this.slots]) {
      giveBack(a)
    }
    this.chunks = [[]]
    this.count = 0
    this.times = new Float64Array(0)
    this.hashes = this.slots = new Int32Array(0)
  }

  private idAt(i: number): string {
    return this.chunks[Math.floor(i / CHUNK)]![i % CHUNK]!
  }

  private assertLive(): void {
    if (this.slots.length === 0) {
      throw new Error('these ids were released (their batch is committed)')
    }
  }

  private rehash(): void {
    giveBack(this.slots)
    this.slots = takeInts(this.slots.length * 2).fill(0)
    const mask = this.slots.length - 1
    for (let i = 0; i < this.count; i++) {
      let slot = this.hashes[i]! & mask
      while (this.slots[slot] !== 0) {
        slot = (slot + 1) & mask
      }
      this.slots[slot] = i + 1
    }
  }
}

/** FNV-1a over the UTF-16 code units. */
function hashOf(text: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    h = Math.imul(h ^ text.charCodeAt(i), 0x01000193)
  }
  return h
}
