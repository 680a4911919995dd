import { gzipSync } from 'node:zlib'
import { crc32c } from '../protocol/crc32c.js'
import { Writer } from '../protocol/writer.js'

export interface FixtureRecord {
  key: string | null
  value: string
  headers?: [string, string | null][]
}

export interface BatchOverrides {
  isGzip?: boolean
  producerId?: bigint
  producerEpoch?: number
  baseSequence?: number
  firstTimestamp?: number
}

function encodeRecord(record: FixtureRecord, offsetDelta: number): Buffer {
  const body = new Writer().int8(0).varint(offsetDelta * 10).varint(offsetDelta)
  body.varintBytes(record.key === null ? null : Buffer.from(record.key)).varintBytes(Buffer.from(record.value))
  const headers = record.headers ?? []
  body.varint(headers.length)
  for (const [key, value] of headers) {
    body.varintBytes(Buffer.from(key)).varintBytes(value === null ? null : Buffer.from(value))
  }
  return new Writer().varint(body.length).raw(body.toBuffer()).toBuffer()
}

/** A RecordBatch v2 as a producer sends it; records are 10 ms apart. */
export function makeRecordBatch(records: FixtureRecord[], overrides: BatchOverrides = {}): Buffer {
  const { isGzip = false, producerId = -1n, producerEpoch = -1, baseSequence = -1, firstTimestamp = 1_700_000_000_000 } = overrides
  const encoded = Buffer.concat(records.map(encodeRecord))
  const afterCrc = new Writer()
    .int16(isGzip ? 1 : 0)
    .int32(records.length - 1)
    .int64(firstTimestamp)
    .int64(firstTimestamp + (records.length - 1) * 10)
    .int64(producerId)
    .int16(producerEpoch)
    .int32(baseSequence)
    .int32(records.length)
    .raw(isGzip ? gzipSync(encoded) : encoded)
    .toBuffer()
  const batch = new Writer().int64(0).int32(afterCrc.length + 9).int32(-1).int8(2).uint32(crc32c(afterCrc)).raw(afterCrc)
  return batch.toBuffer()
}
