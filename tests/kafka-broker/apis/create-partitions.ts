import { ApiKey } from '../protocol/api-keys.js'
import { ErrorCode } from '../protocol/error-codes.js'
import { Writer } from '../protocol/writer.js'
import type { ApiHandler, BrokerState } from './types.js'

interface Outcome {
  name: string
  errorCode: ErrorCode
  message: string | null
}

export const createPartitionsApi: ApiHandler = {
  apiKey: ApiKey.CreatePartitions,
  name: 'CreatePartitions',
  minVersion: 1,
  maxVersion: 1,
  handle({ body, broker }) {
    const topics = body.array((reader) => ({
      name: reader.string(),
      count: reader.int32(),
      assignments: reader.nullableArray((r) => r.array((ids) => ids.int32())),
    }))
    body.int32()
    const validateOnly = body.boolean()
    const outcomes = topics.map(({ name, count }) => addPartitions(broker, name, count, validateOnly))
    return new Writer().int32(0).array(outcomes, (w, outcome) => {
      w.string(outcome.name).int16(outcome.errorCode).nullableString(outcome.message)
    })
  },
}

function addPartitions(broker: BrokerState, name: string, count: number, validateOnly: boolean): Outcome {
  if (!broker.topics.has(name)) {
    return { name, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, message: `Topic ${name} does not exist` }
  }
  const current = broker.topics.partitionCount(name)
  if (count <= current) {
    const message = `Topic currently has ${current} partitions, which is higher than or equal to the requested ${count}.`
    return { name, errorCode: ErrorCode.INVALID_PARTITIONS, message }
  }
  if (!validateOnly) {
    broker.topics.addPartitions(name, count)
  }
  return { name, errorCode: ErrorCode.NONE, message: null }
}
