/**
 * Deterministic randomness. The simulator derives every value from a hash of its key (seed, device, time),
 * so output never depends on how time was cut into windows; the city generator uses a seeded sequence.
 */

function fold(hash: number, word: number): number {
  let k = Math.imul(word, 0xcc9e2d51)
  k = (k << 15) | (k >>> 17)
  k = Math.imul(k, 0x1b873593)
  let h = hash ^ k
  h = (h << 13) | (h >>> 19)
  return (Math.imul(h, 5) + 0xe6546b64) | 0
}

function finish(hash: number): number {
  let h = hash ^ (hash >>> 16)
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  return (h ^ (h >>> 16)) >>> 0
}

/** 32-bit hash of integers; values beyond 32 bits (epoch ms) are folded in two words. */
export function hashInts(...parts: number[]): number {
  let h = parts.length
  for (const part of parts) {
    h = fold(h, part >>> 0)
    const high = Math.floor(part / 4294967296)
    if (high !== 0) {
      h = fold(h, high >>> 0)
    }
  }
  return finish(h)
}

/** FNV-1a over UTF-16 code units, finished like hashInts. */
export function hashString(text: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    h = Math.imul(h ^ text.charCodeAt(i), 0x01000193)
  }
  return finish(h)
}

/** A uniform number in [0, 1) for the key. */
export function unitOf(...parts: number[]): number {
  return hashInts(...parts) / 4294967296
}

/** Smooth 1-D value noise in [0, 1]: hashed knots every periodMs, eased in between. */
export function smoothNoise(key: number, timeMs: number, periodMs: number): number {
  const x = timeMs / periodMs
  const knot = Math.floor(x)
  const f = x - knot
  const ease = f * f * (3 - 2 * f)
  const a = unitOf(key, knot)
  const b = unitOf(key, knot + 1)
  return a + (b - a) * ease
}

export interface Random {
  next(): number
  between(min: number, max: number): number
  int(min: number, maxInclusive: number): number
  pick<T>(items: readonly T[]): T
}

/** Sequential generator (mulberry32) for the one-off city build. */
export function createRandom(seed: number): Random {
  let state = seed >>> 0
  const next = () => {
    state = (state + 0x6d2b79f5) | 0
    let t = Math.imul(state ^ (state >>> 15), 1 | state)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const between = (min: number, max: number) => min + (max - min) * next()
  const int = (min: number, maxInclusive: number) => Math.floor(between(min, maxInclusive + 1))
  const pick = <T>(items: readonly T[]): T => {
    if (items.length === 0) {
      throw new RangeError('cannot pick from an empty list')
    }
    return items[Math.floor(next() * items.length)]!
  }
  return { next, between, int, pick }
}
