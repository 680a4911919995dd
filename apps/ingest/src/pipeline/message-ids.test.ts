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
