import { describe, expect, it } from 'vitest'
import { crc32c } from './crc32c.js'
import { Reader } from './reader.js'
import { Writer } from './writer.js'

describe('Writer and Reader', () => {
  it.each([0, 1, -1, 63, -64, 64, 300, -300, 2 ** 31 - 1, -(2 ** 31), 2 ** 40, -(2 ** 40)])(
    'round-trips the zigzag varint %d',
    (value) => {
      expect(new Reader(new Writer().varint(value).toBuffer()).varint()).toBe(value)
    },
  )

  it('encodes unsigned varints in little-endian groups of seven bits', () => {
    expect([...new Writer().uvarint(300).toBuffer()]).toEqual([0xac, 0x02])
  })

  it('writes compact strings, arrays and bytes in flexible versions', () => {
    const writer = new Writer({ flexible: true })
    writer.string('ab').nullableString(null).array([7], (w, n) => w.int8(n)).nullArray().bytes(Buffer.from([9])).taggedFields()
    expect([...writer.toBuffer()]).toEqual([3, 0x61, 0x62, 0, 2, 7, 0, 2, 9, 0])
    const reader = new Reader(writer.toBuffer(), { flexible: true })
    expect([reader.string(), reader.nullableString(), reader.array((r) => r.int8()), reader.nullableArray((r) => r.int8())]).toEqual([
      'ab',
      null,
      [7],
      null,
    ])
    expect([...reader.bytes()]).toEqual([9])
    reader.taggedFields()
    expect(reader.remaining).toBe(0)
  })

  it('writes classic strings and arrays with int16 and int32 lengths', () => {
    const bytes = new Writer().string('ab').nullableString(null).array([1], (w, n) => w.int32(n)).toBuffer()
    expect([...bytes]).toEqual([0, 2, 0x61, 0x62, 0xff, 0xff, 0, 0, 0, 1, 0, 0, 0, 1])
  })

  it('keeps every value when the buffer grows mid-message', () => {
    const writer = new Writer()
    for (let i = 0; i < 1_000; i++) {
      writer.int32(i).int64(BigInt(i) * 3n)
    }
    const reader = new Reader(writer.toBuffer())
    for (let i = 0; i < 1_000; i++) {
      expect([reader.int32(), reader.int64()]).toEqual([i, BigInt(i) * 3n])
    }
  })

  it('skips unknown tagged fields', () => {
    const bytes = Buffer.from([2, 0, 1, 0xaa, 5, 2, 0xbb, 0xcc, 42])
    const reader = new Reader(bytes, { flexible: true })
    reader.taggedFields()
    expect(reader.int8()).toBe(42)
  })

  it('refuses to read past the end', () => {
    expect(() => new Reader(Buffer.from([0, 5, 0x61])).string()).toThrow('past the end')
  })
})

describe('crc32c', () => {
  it('matches the Castagnoli check value', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283)
  })
})
