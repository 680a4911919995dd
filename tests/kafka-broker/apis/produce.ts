import { partitionKey } from '../producer-state.js'
import { ApiKey } from '../protocol/api-keys.js'
import { ErrorCode } from '../protocol/error-codes.js'
import { decodeRecordBatch, InvalidBatchError, splitRecordSet, type RecordBatch } from '../protocol/record-batch.js'
import { Writer } from '../protocol/writer.js'
import { autoCreateTopic } from './metadata.js'
import type { ApiHandler, BrokerState } from './types.js'

interface PartitionResult {
  index: number
  errorCode: ErrorCode
  baseOffset: number
}

// Kafka's message.max.bytes default: the largest batch a partition accepts.
const MAX_BATCH_BYTES = 1_048_588

export const produceApi: ApiHandler = {
  apiKey: ApiKey.Produce,
  name: 'Produce',
  minVersion: 7,
  maxVersion: 7,
  handle({ body, broker }) {
    const transactionalId = body.nullableString()
    const acks = body.int16()
    body.int32()
    const topics = body.array((reader) => ({
      name: reader.string(),
      partitions: reader.array((r) => ({ index: r.int32(), records: r.nullableBytes() })),
    }))
    const isValidAcks = acks === -1 || acks === 0 || acks === 1
    const results = topics.map((topic) => ({
      name: topic.name,
      partitions: topic.partitions.map(({ index, records }): PartitionResult => {
        if (!isValidAcks) {
          return { index, errorCode: ErrorCode.INVALID_REQUIRED_ACKS, baseOffset: -1 }
        }
        return { index, ...appendRecords(broker, topic.name, index, records, transactionalId) }
      }),
    }))
    if (acks === 0) {
      return null
    }
    const writer = new Writer().array(results, (w, topic) => {
      w.string(topic.name).array(topic.partitions, (p, result) => {
        const logStartOffset = result.errorCode === ErrorCode.NONE ? 0 : -1
        p.int32(result.index).int16(result.errorCode).int64(result.baseOffset).int64(-1).int64(logStartOffset)
      })
    })
    return writer.int32(0)
  },
}

function appendRecords(
  broker: BrokerState,
  topic: string,
  index: number,
  records: Buffer | null,
  transactionalId: string | null,
): Omit<PartitionResult, 'index'> {
  const fail = (errorCode: ErrorCode) => ({ errorCode, baseOffset: -1 })
  if (!broker.topics.has(topic) && !autoCreateTopic(broker, topic)) {
    return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
  }
  if (!broker.topics.partition(topic, index)) {
    return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
  }
  let batches: RecordBatch[]
  try {
    batches = splitRecordSet(records ?? Buffer.alloc(0)).map(decodeRecordBatch)
  } catch (error) {
    if (error instanceof InvalidBatchError) {
      return fail(error.errorCode)
    }
    throw error
  }
  const invalid = batches.length === 0 ? ErrorCode.CORRUPT_MESSAGE : batchesError(batches, transactionalId)
  if (invalid !== ErrorCode.NONE) {
    return fail(invalid)
  }
  const outcomes = batches.map((batch) => appendBatch(broker, topic, index, batch))
  return outcomes.find((outcome) => outcome.errorCode !== ErrorCode.NONE) ?? outcomes[0] ?? fail(ErrorCode.CORRUPT_MESSAGE)
}

// Transactions are not offered (no AddPartitionsToTxn/EndTxn), so a transactional batch cannot be valid.
function batchesError(batches: RecordBatch[], transactionalId: string | null): ErrorCode {
  for (const batch of batches) {
    if (transactionalId !== null || batch.isTransactional) {
      return ErrorCode.INVALID_TXN_STATE
    }
    if (batch.isControl) {
      return ErrorCode.INVALID_RECORD
    }
    if (batch.bytes.length > MAX_BATCH_BYTES) {
      return ErrorCode.MESSAGE_TOO_LARGE
    }
  }
  return ErrorCode.NONE
}

function appendBatch(broker: BrokerState, topic: string, index: number, batch: RecordBatch): Omit<PartitionResult, 'index'> {
  if (batch.producerId < 0n) {
    return { errorCode: ErrorCode.NONE, baseOffset: broker.topics.append(topic, index, batch) }
  }
  const key = partitionKey(topic, index)
  const producerBatch = { ...batch, recordCount: batch.records.length }
  const check = broker.producers.check(key, producerBatch)
  if (check.kind === 'error') {
    return { errorCode: check.errorCode, baseOffset: -1 }
  }
  if (check.kind === 'duplicate') {
    return { errorCode: ErrorCode.NONE, baseOffset: check.baseOffset }
  }
  const baseOffset = broker.topics.append(topic, index, batch)
  broker.producers.record(key, producerBatch, baseOffset)
  return { errorCode: ErrorCode.NONE, baseOffset }
}
