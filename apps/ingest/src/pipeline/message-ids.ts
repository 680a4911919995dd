import { doubled, giveBack, takeDoubles, takeInts, takeUint16s } from './spare-arrays.js'
import { hashText } from './text-hash.js'

/**
 * The ids of the messages a batch accepted, with their event times: an insertion-ordered set for
 * deduplication within the batch. Tens of thousands of ids stay alive until the batch commits; as
 * strings (or Map entries) each is an object the garbage collector copies twice on its way to the old
 * generation. Here their characters are copied into one growing Uint16Array, with their ends and
 * times in typed arrays and an open-addressing index in two more: the strings die young, and the set
 * holds no object per id at all.
 */
export class MessageIds {
  private count = 0
  /** The ids' UTF-16 code units, back to back; id i ends at ends[i] and starts where id i-1 ends. */
  private chars = takeUint16s(atLeastPow2(lastReached.chars, 16_384))
  private ends = takeInts(atLeastPow2(lastReached.ids, 1024))
  private times = takeDoubles(this.ends.length)
  /** Each id's full hash, for rebuilding the index. */
  private hashes = takeInts(this.ends.length)
  /**
   * Open addressing, linear probing, at most half full. The index is too large for the cache, and every
   * message probes it at a random place: a probe reads only `tags`, 16 bits of the id's hash (0: an
   * empty slot), two bytes a slot, and reads `entries` (the id's index + 1) and the id itself only where
   * the tag matches.
   */
  private tags = takeUint16s(2 * this.ends.length).fill(0)
  private entries = takeInts(this.tags.length)

  get size(): number {
    return this.count
  }

  /** Whether the set holds id. */
  has(id: string): boolean {
    return this.hasIn(id, 0, id.length, hashText(id))
  }

  /** Whether the set holds the id text[from, to) (an id where it stands in a message); hash is `hashText(text, from, to)`. */
  hasIn(text: string, from: number, to: number, hash: number): boolean {
    return this.indexOf(text, from, to, hash) >= 0
  }

  /** Event time of an id, or undefined. */
  get(id: string): number | undefined {
    const i = this.indexOf(id, 0, id.length, hashText(id))
    return i < 0 ? undefined : this.times[i]
  }

  /** Adds an id with its event time; false (and nothing changes) when it is already here. */
  add(id: string, tsMs: number): boolean {
    return this.addIn(id, 0, id.length, tsMs, hashText(id))
  }

  /** `add` for the id text[from, to); hash is `hashText(text, from, to)`. */
  addIn(text: string, from: number, to: number, tsMs: number, hash: number): boolean {
    this.assertLive()
    const mask = this.tags.length - 1
    const tag = tagOf(hash)
    let slot = hash & mask
    // The tag is read first, and the id copied to where it would go while that read is on its way (a
    // copy left unused when the id is here already).
    let t = this.tags[slot]!
    const i = this.count
    if (i === this.times.length) {
      this.times = doubled(this.times)
      this.ends = doubled(this.ends)
      this.hashes = doubled(this.hashes)
    }
    const start = this.startOf(i)
    const length = to - from
    while (start + length > this.chars.length) {
      this.chars = doubled(this.chars)
    }
    for (let c = 0; c < length; c++) {
      this.chars[start + c] = text.charCodeAt(from + c)
    }
    for (; t !== 0; t = this.tags[slot]!) {
      if (t === tag && this.equals(this.entries[slot]! - 1, text, from, to)) {
        return false
      }
      slot = (slot + 1) & mask
    }
    this.ends[i] = start + length
    this.times[i] = tsMs
    this.hashes[i] = hash
    this.tags[slot] = tag
    this.entries[slot] = i + 1
    this.count = i + 1
    if (2 * this.count > this.tags.length) {
      this.rehash()
    }
    return true
  }

  /** The ids in the order they were added. */
  keys(): string[] {
    this.assertLive()
    const all = UTF16.decode(this.chars.subarray(0, this.startOf(this.count)))
    return Array.from({ length: this.count }, (_, i) => all.slice(this.startOf(i), this.ends[i]))
  }

  /** Their event times, in the same order. */
  values(): number[] {
    return Array.from(this.times.subarray(0, this.count))
  }

  /** Hands the arrays over for reuse; the set refuses use after. */
  release(): void {
    lastReached = { ids: this.count, chars: this.startOf(this.count) }
    for (const a of [this.chars, this.ends, this.times, this.hashes, this.tags, this.entries]) {
      giveBack(a)
    }
    this.count = 0
    this.chars = this.tags = new Uint16Array(0)
    this.times = new Float64Array(0)
    this.ends = this.hashes = this.entries = new Int32Array(0)
  }

  private indexOf(text: string, from: number, to: number, hash: number): number {
    this.assertLive()
    const mask = this.tags.length - 1
    const tag = tagOf(hash)
    for (let slot = hash & mask, t = this.tags[slot]!; t !== 0; slot = (slot + 1) & mask, t = this.tags[slot]!) {
      if (t === tag && this.equals(this.entries[slot]! - 1, text, from, to)) {
        return this.entries[slot]! - 1
      }
    }
    return -1
  }

  private startOf(i: number): number {
    return i === 0 ? 0 : this.ends[i - 1]!
  }

  private equals(i: number, text: string, from: number, to: number): boolean {
    const start = this.startOf(i)
    if (this.ends[i]! - start !== to - from) {
      return false
    }
    for (let c = 0; c < to - from; c++) {
      if (this.chars[start + c] !== text.charCodeAt(from + c)) {
        return false
      }
    }
    return true
  }

  private assertLive(): void {
    if (this.tags.length === 0) {
      throw new Error('these ids were released (their batch is committed)')
    }
  }

  private rehash(): void {
    const size = 2 * this.tags.length
    giveBack(this.tags)
    giveBack(this.entries)
    this.tags = takeUint16s(size).fill(0)
    this.entries = takeInts(size)
    const mask = size - 1
    for (let i = 0; i < this.count; i++) {
      const hash = this.hashes[i]!
      let slot = hash & mask
      while (this.tags[slot] !== 0) {
        slot = (slot + 1) & mask
      }
      this.tags[slot] = tagOf(hash)
      this.entries[slot] = i + 1
    }
  }
}

/** The 16 bits of a hash the index keeps, its high ones (slots are chosen by the low ones); never 0, which marks an empty slot. */
function tagOf(hash: number): number {
  return (hash >>> 16) || 1
}

/**
 * How far the last released set grew: the next starts there (batches of a stream are alike in size)
 * instead of doubling its arrays and rebuilding its index from the minimum on the way up, every batch.
 */
let lastReached = { ids: 0, chars: 0 }

/** The smallest power of two at least n, and at least min (a power of two). */
function atLeastPow2(n: number, min: number): number {
  let size = min
  while (size < n) {
    size *= 2
  }
  return size
}

/** Reads a Uint16Array's code units back as text (its bytes are in the platform's order). */
const UTF16 = new TextDecoder(new Uint8Array(Uint16Array.of(1).buffer)[0] === 1 ? 'utf-16le' : 'utf-16be')
