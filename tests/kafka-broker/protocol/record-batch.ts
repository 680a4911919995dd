import { gunzipSync } from 'node:zlib'
import { crc32c } from './crc32c.js'
import { ErrorCode } from './error-codes.js'
import { Reader } from './reader.js'

export interface RecordHeader {
  key: string
  value: Buffer | null
}

export interface BatchRecord {
  offsetDelta: number
  timestamp: number
  key: Buffer | null
  value: Buffer | null
  headers: RecordHeader[]
}

export interface RecordBatch {
  lastOffsetDelta: number
  maxTimestamp: number
  producerId: bigint
  producerEpoch: number
  baseSequence: number
  isTransactional: boolean
  isControl: boolean
  records: BatchRecord[]
  /** The whole batch as sent, from BaseOffset to the last record. */
  bytes: Buffer
}

export class InvalidBatchError extends Error {
  override name = 'InvalidBatchError'

  constructor(readonly errorCode: ErrorCode, message: string) {
    super(message)
  }
}

// Byte positions in RecordBatch v2: BaseOffset int64, BatchLength int32, PartitionLeaderEpoch int32,
// Magic int8, CRC uint32, then Attributes … Records, which the CRC covers.
const LENGTH_AT = 8
const LEADER_EPOCH_AT = 12
const MAGIC_AT = 16
const CRC_AT = 17
const CRC_COVERS_FROM = 21
const HEADER_BYTES = 61
const LOG_OVERHEAD = 12

const Compression = { NONE: 0, GZIP: 1 } as const

/** Splits a produce request's record set into whole batches. */
export function splitRecordSet(recordSet: Buffer): Buffer[] {
  const batches: Buffer[] = []
  let offset = 0
  while (offset < recordSet.length) {
    if (recordSet.length - offset < LOG_OVERHEAD) {
      throw new InvalidBatchError(ErrorCode.CORRUPT_MESSAGE, 'truncated batch header')
    }
    const size = LOG_OVERHEAD + recordSet.readInt32BE(offset + LENGTH_AT)
    if (size < HEADER_BYTES || offset + size > recordSet.length) {
      throw new InvalidBatchError(ErrorCode.CORRUPT_MESSAGE, 'batch length does not match the record set')
    }
    batches.push(recordSet.subarray(offset, offset + size))
    offset += size
  }
  return batches
}

export function decodeRecordBatch(bytes: Buffer): RecordBatch {
  const magic = bytes.readInt8(MAGIC_AT)
  if (magic !== 2) {
    throw new InvalidBatchError(ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT, `magic ${magic} is not supported, only 2`)
  }
  if (crc32c(bytes.subarray(CRC_COVERS_FROM)) !== bytes.readUInt32BE(CRC_AT)) {
    throw new InvalidBatchError(ErrorCode.CORRUPT_MESSAGE, 'CRC-32C mismatch')
  }
  const reader = new Reader(bytes.subarray(CRC_COVERS_FROM))
  const attributes = reader.int16()
  const lastOffsetDelta = reader.int32()
  const firstTimestamp = reader.int64Number()
  const maxTimestamp = reader.int64Number()
  const producerId = reader.int64()
  const producerEpoch = reader.int16()
  const baseSequence = reader.int32()
  const recordCount = reader.int32()
  const body = decompress(attributes & 0x07, reader.raw(reader.remaining))
  const records = decodeRecords(body, recordCount, firstTimestamp)
  if (recordCount !== lastOffsetDelta + 1) {
    throw new InvalidBatchError(ErrorCode.INVALID_RECORD, 'record count does not match the last offset delta')
  }
  return {
    lastOffsetDelta,
    maxTimestamp,
    producerId,
    producerEpoch,
    baseSequence,
    isTransactional: (attributes & 0x10) !== 0,
    isControl: (attributes & 0x20) !== 0,
    records,
    bytes,
  }
}

/** A private copy of the batch carrying the offset the log assigned (neither field is under the CRC). */
export function withBaseOffset(bytes: Buffer, baseOffset: number): Buffer {
  const copy = Buffer.from(bytes)
  copy.writeBigInt64BE(BigInt(baseOffset), 0)
  copy.writeInt32BE(0, LEADER_EPOCH_AT)
  return copy
}

function decompress(codec: number, body: Buffer): Buffer {
  if (codec === Compression.NONE) {
    return body
  }
  if (codec === Compression.GZIP) {
    try {
      return gunzipSync(body)
    } catch (error) {
      throw new InvalidBatchError(ErrorCode.CORRUPT_MESSAGE, `gzip: ${(error as Error).message}`)
    }
  }
  throw new InvalidBatchError(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE, `compression codec ${codec} is not supported`)
}

function decodeRecords(body: Buffer, count: number, firstTimestamp: number): BatchRecord[] {
  const reader = new Reader(body)
  const records: BatchRecord[] = []
  try {
    for (let i = 0; i < count; i++) {
      const record = decodeRecord(new Reader(reader.raw(reader.varint())), firstTimestamp)
      if (record.offsetDelta !== i) {
        throw new InvalidBatchError(ErrorCode.INVALID_RECORD, `record ${i} has offset delta ${record.offsetDelta}`)
      }
      records.push(record)
    }
  } catch (error) {
    if (error instanceof InvalidBatchError) {
      throw error
    }
    throw new InvalidBatchError(ErrorCode.CORRUPT_MESSAGE, `undecodable record: ${(error as Error).message}`)
  }
  return records
}

function decodeRecord(reader: Reader, firstTimestamp: number): BatchRecord {
  reader.int8()
  const timestamp = firstTimestamp + reader.varint()
  const offsetDelta = reader.varint()
  const key = reader.varintBytes()
  const value = reader.varintBytes()
  const headerCount = reader.varint()
  const headers: RecordHeader[] = []
  for (let i = 0; i < headerCount; i++) {
    const headerKey = reader.varintBytes()
    if (headerKey === null) {
      throw new InvalidBatchError(ErrorCode.CORRUPT_MESSAGE, 'null header key')
    }
    headers.push({ key: headerKey.toString('utf8'), value: reader.varintBytes() })
  }
  return { offsetDelta, timestamp, key, value, headers }
}
