import { describe, expect, it } from 'vitest'
import { MessageIds } from './message-ids.js'

describe('MessageIds', () => {
  it('keeps the first event time of each id, in insertion order, across many growths', () => {
    const ids = new MessageIds()
    const n = 20_000
    for (let i = 0; i < n; i++) {
      expect(ids.add(`seg-${i % 97}@${1_795_363_200_000 + i}`, i)).toBe(true)
    }
    for (let i = 0; i < n; i += 7) {
      expect(ids.add(`seg-${i % 97}@${1_795_363_200_000 + i}`, -1)).toBe(false)
    }
    expect(ids.size).toBe(n)
    expect(ids.has('seg-5@1795363200005')).toBe(true)
    expect(ids.has('seg-5@1795363200006')).toBe(false)
    expect(ids.get('seg-3@1795363200100')).toBe(100)
    expect(ids.keys().slice(0, 2)).toEqual(['seg-0@1795363200000', 'seg-1@1795363200001'])
    expect(ids.keys()[n - 1]).toBe(`seg-${(n - 1) % 97}@${1_795_363_200_000 + n - 1}`)
    expect(ids.values()[12_345]).toBe(12_345)
  })

  it('tells apart ids whose hashes share the bits the index keeps', () => {
    // 300,000 ids: the index's 16-bit tags of different ids meet in the same probe dozens of times.
    const ids = new MessageIds()
    const id = (i: number) => `dev-${i % 1000}@${1_795_363_200_000 + 30_000 * i}`
    let refused = 0
    for (let i = 0; i < 300_000; i++) {
      refused += ids.add(id(i), i) ? 0 : 1
    }
    let accepted = 0
    for (let i = 0; i < 300_000; i += 3) {
      accepted += ids.add(id(i), -1) ? 1 : 0
    }
    expect({ refused, accepted, size: ids.size }).toEqual({ refused: 0, accepted: 0, size: 300_000 })
    expect(ids.has(id(300_000))).toBe(false)
    expect(ids.get(id(123_456))).toBe(123_456)
  })

  it('tells ids apart whatever their characters', () => {
    const ids = new MessageIds()
    for (const id of ['', 'a', 'A', 'é', '😀', 'a\u0000b', 'ab']) {
      expect(ids.add(id, 1)).toBe(true)
    }
    expect(ids.add('😀', 2)).toBe(false)
    expect(ids.size).toBe(7)
  })

  it('refuses use once released', () => {
    const ids = new MessageIds()
    ids.add('x', 1)
    ids.release()
    expect(ids.size).toBe(0)
    expect(() => ids.add('y', 1)).toThrow(/released/)
  })
})
