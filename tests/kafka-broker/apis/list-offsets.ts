import { ApiKey } from '../protocol/api-keys.js'
import { ErrorCode } from '../protocol/error-codes.js'
import { Writer } from '../protocol/writer.js'
import type { ApiHandler, BrokerState } from './types.js'

const LATEST = -1
const EARLIEST = -2

interface OffsetResult {
  partition: number
  errorCode: ErrorCode
  timestamp: number
  offset: number
}

export const listOffsetsApi: ApiHandler = {
  apiKey: ApiKey.ListOffsets,
  name: 'ListOffsets',
  minVersion: 3,
  maxVersion: 3,
  handle({ body, broker }) {
    body.int32()
    body.int8()
    const topics = body.array((reader) => ({
      name: reader.string(),
      partitions: reader.array((r) => ({ partition: r.int32(), timestamp: r.int64Number() })),
    }))
    return new Writer().int32(0).array(topics, (w, topic) => {
      const results = topic.partitions.map(({ partition, timestamp }) => lookUp(broker, topic.name, partition, timestamp))
      w.string(topic.name).array(results, (p, result) => {
        p.int32(result.partition).int16(result.errorCode).int64(result.timestamp).int64(result.offset)
      })
    })
  },
}

function lookUp(broker: BrokerState, topic: string, partition: number, timestamp: number): OffsetResult {
  const log = broker.topics.partition(topic, partition)
  if (!log) {
    return { partition, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, timestamp: -1, offset: -1 }
  }
  if (timestamp === LATEST) {
    return { partition, errorCode: ErrorCode.NONE, timestamp: -1, offset: log.highWatermark }
  }
  if (timestamp === EARLIEST) {
    return { partition, errorCode: ErrorCode.NONE, timestamp: -1, offset: log.logStartOffset }
  }
  const record = log.offsetForTimestamp(timestamp)
  return { partition, errorCode: ErrorCode.NONE, timestamp: record?.timestamp ?? -1, offset: record?.offset ?? -1 }
}
