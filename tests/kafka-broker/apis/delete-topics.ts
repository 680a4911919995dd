import { ApiKey } from '../protocol/api-keys.js'
import { ErrorCode } from '../protocol/error-codes.js'
import { Writer } from '../protocol/writer.js'
import type { ApiHandler, BrokerState } from './types.js'

export const deleteTopicsApi: ApiHandler = {
  apiKey: ApiKey.DeleteTopics,
  name: 'DeleteTopics',
  minVersion: 1,
  maxVersion: 1,
  handle({ body, broker }) {
    const names = body.array((reader) => reader.string())
    body.int32()
    return new Writer().int32(0).array(names, (w, name) => w.string(name).int16(deleteTopic(broker, name)))
  },
}

function deleteTopic(broker: BrokerState, name: string): ErrorCode {
  if (!broker.topics.delete(name)) {
    return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
  }
  broker.groups.forgetTopic(name)
  broker.producers.forgetTopic(name)
  return ErrorCode.NONE
}
