import { ApiKey } from '../protocol/api-keys.js'
import { ErrorCode } from '../protocol/error-codes.js'
import type { Reader } from '../protocol/reader.js'
import { Writer } from '../protocol/writer.js'
import type { ApiHandler, BrokerState } from './types.js'

interface FetchTopic {
  name: string
  partitions: { partition: number; fetchOffset: number; maxBytes: number }[]
}

interface PartitionData {
  partition: number
  errorCode: ErrorCode
  highWatermark: number
  records: Buffer[]
}

interface FetchResult {
  topics: { name: string; partitions: PartitionData[] }[]
  bytes: number
  hasError: boolean
}

const READ_UNCOMMITTED = 0

export const fetchApi: ApiHandler = {
  apiKey: ApiKey.Fetch,
  name: 'Fetch',
  minVersion: 11,
  maxVersion: 11,
  async handle({ body, broker, client }) {
    body.int32()
    const maxWaitMs = body.int32()
    const minBytes = body.int32()
    const maxBytes = body.int32()
    const isolationLevel = body.int8()
    const sessionId = body.int32()
    body.int32()
    const topics = body.array(readTopic)
    body.array((reader) => [reader.string(), reader.array((r) => r.int32())])
    body.string()
    if (sessionId !== 0) {
      // Fetch sessions (KIP-227) are declined: every full fetch answers with session id 0.
      return new Writer().int32(0).int16(ErrorCode.FETCH_SESSION_ID_NOT_FOUND).int32(0).array([], () => {})
    }
    const read = () => readPartitions(broker, topics, maxBytes)
    const isEmpty = topics.every((topic) => topic.partitions.length === 0)
    const isEnough = (result: FetchResult) => isEmpty || result.hasError || result.bytes >= minBytes
    let result = read()
    if (!isEnough(result) && maxWaitMs > 0) {
      await waitForData(broker, client.closed, maxWaitMs, () => isEnough(read()))
      if (client.closed.aborted) {
        return null
      }
      result = read()
    }
    return writeResponse(result, isolationLevel)
  },
}

function readTopic(reader: Reader): FetchTopic {
  const name = reader.string()
  const partitions = reader.array((r) => {
    const partition = r.int32()
    r.int32()
    const fetchOffset = r.int64Number()
    r.int64()
    return { partition, fetchOffset, maxBytes: r.int32() }
  })
  return { name, partitions }
}

function readPartitions(broker: BrokerState, topics: FetchTopic[], maxBytes: number): FetchResult {
  const result: FetchResult = { topics: [], bytes: 0, hasError: false }
  for (const topic of topics) {
    const partitions = topic.partitions.map(({ partition, fetchOffset, maxBytes: partitionMaxBytes }): PartitionData => {
      const log = broker.topics.partition(topic.name, partition)
      if (!log) {
        result.hasError = true
        return { partition, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, highWatermark: -1, records: [] }
      }
      const { highWatermark } = log
      if (fetchOffset < log.logStartOffset || fetchOffset > highWatermark) {
        result.hasError = true
        return { partition, errorCode: ErrorCode.OFFSET_OUT_OF_RANGE, highWatermark, records: [] }
      }
      const limit = Math.max(0, Math.min(partitionMaxBytes, maxBytes - result.bytes))
      const records = log.read(fetchOffset, limit, result.bytes === 0)
      result.bytes += records.reduce((sum, chunk) => sum + chunk.length, 0)
      return { partition, errorCode: ErrorCode.NONE, highWatermark, records }
    })
    result.topics.push({ name: topic.name, partitions })
  }
  return result
}

/** Long poll: resolves once the data is enough, the wait is over or the client went away. */
function waitForData(broker: BrokerState, closed: AbortSignal, maxWaitMs: number, isReady: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    let isDone = false
    const finish = () => {
      if (isDone) {
        return
      }
      isDone = true
      clearTimeout(timer)
      unsubscribe()
      closed.removeEventListener('abort', finish)
      resolve()
    }
    const timer = setTimeout(finish, maxWaitMs)
    const unsubscribe = broker.topics.onChange(() => {
      if (isReady()) {
        finish()
      }
    })
    closed.addEventListener('abort', finish)
    if (closed.aborted) {
      finish()
    }
  })
}

function writeResponse(result: FetchResult, isolationLevel: number): Writer {
  const writer = new Writer().int32(0).int16(ErrorCode.NONE).int32(0)
  return writer.array(result.topics, (w, topic) => {
    w.string(topic.name).array(topic.partitions, (p, data) => {
      const isOk = data.errorCode === ErrorCode.NONE
      // No transactions: the last stable offset is the high watermark and nothing was ever aborted.
      p.int32(data.partition).int16(data.errorCode).int64(data.highWatermark).int64(data.highWatermark)
      p.int64(isOk ? 0 : -1)
      if (isolationLevel === READ_UNCOMMITTED) {
        p.nullArray()
      } else {
        p.array([], () => {})
      }
      p.int32(-1).bytes(Buffer.concat(data.records))
    })
  })
}
