import { describe, expect, it } from 'vitest'
import { makeRecordBatch as encodeBatch } from '../__fixtures__/record-batch.js'
import { crc32c } from './crc32c.js'
import { ErrorCode } from './error-codes.js'
import { decodeRecordBatch, splitRecordSet, withBaseOffset } from './record-batch.js'

describe('decodeRecordBatch', () => {
  it('decodes keys, values, timestamps and headers, null ones included', () => {
    const batch = decodeRecordBatch(
      encodeBatch([
        { key: 'device-1', value: 'a', headers: [['source', 'traffic'], ['trace', null]] },
        { key: null, value: 'b' },
      ]),
    )
    expect(batch.records.map((r) => [r.offsetDelta, r.timestamp, r.key?.toString() ?? null, r.value?.toString()])).toEqual([
      [0, 1_700_000_000_000, 'device-1', 'a'],
      [1, 1_700_000_000_010, null, 'b'],
    ])
    expect(batch.records[0]?.headers.map((h) => [h.key, h.value?.toString() ?? null])).toEqual([
      ['source', 'traffic'],
      ['trace', null],
    ])
    expect(batch.producerId).toBe(-1n)
  })

  it('inflates GZIP records', () => {
    const batch = decodeRecordBatch(encodeBatch([{ key: 'k', value: 'v'.repeat(1_000) }], { isGzip: true }))
    expect(batch.records[0]?.value?.toString()).toBe('v'.repeat(1_000))
  })

  it('rejects a batch whose CRC does not match', () => {
    const bytes = encodeBatch([{ key: 'k', value: 'v' }])
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 1) ^ 0xff, bytes.length - 1)
    expect(() => decodeRecordBatch(bytes)).toThrow(expect.objectContaining({ errorCode: ErrorCode.CORRUPT_MESSAGE }))
  })

  it('rejects compression codecs other than GZIP', () => {
    const bytes = encodeBatch([{ key: 'k', value: 'v' }])
    bytes.writeInt16BE(2, 21)
    bytes.writeUInt32BE(crc32c(bytes.subarray(21)), 17)
    expect(() => decodeRecordBatch(bytes)).toThrow(expect.objectContaining({ errorCode: ErrorCode.UNSUPPORTED_COMPRESSION_TYPE }))
  })
})

describe('splitRecordSet and withBaseOffset', () => {
  it('splits concatenated batches and renumbers a copy without touching the CRC', () => {
    const first = encodeBatch([{ key: 'a', value: '1' }])
    const second = encodeBatch([{ key: 'b', value: '2' }, { key: 'c', value: '3' }])
    const batches = splitRecordSet(Buffer.concat([first, second]))
    expect(batches.map((b) => b.length)).toEqual([first.length, second.length])
    const renumbered = withBaseOffset(second, 42)
    expect(renumbered.readBigInt64BE(0)).toBe(42n)
    expect(second.readBigInt64BE(0)).toBe(0n)
    expect(decodeRecordBatch(renumbered).records).toHaveLength(2)
  })

  it('rejects a truncated record set', () => {
    const batch = encodeBatch([{ key: 'a', value: '1' }])
    expect(() => splitRecordSet(batch.subarray(0, batch.length - 1))).toThrow('batch length')
  })
})
