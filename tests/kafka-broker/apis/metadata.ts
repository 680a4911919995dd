import { ApiKey } from '../protocol/api-keys.js'
import { ErrorCode } from '../protocol/error-codes.js'
import { Writer } from '../protocol/writer.js'
import { isValidTopicName } from '../topic-store.js'
import type { ApiHandler, BrokerState } from './types.js'

export const metadataApi: ApiHandler = {
  apiKey: ApiKey.Metadata,
  name: 'Metadata',
  minVersion: 6,
  maxVersion: 6,
  handle({ body, broker }) {
    const requested = body.nullableArray((reader) => reader.string())
    const allowAutoTopicCreation = body.boolean()
    const names = requested ?? broker.topics.names()
    const { host, port } = broker.advertised
    return new Writer()
      .int32(0)
      .array([broker.nodeId], (w, nodeId) => w.int32(nodeId).string(host).int32(port).nullableString(null))
      .nullableString(broker.clusterId)
      .int32(broker.nodeId)
      .array(names, (w, topic) => writeTopic(w, broker, topic, topicError(broker, topic, allowAutoTopicCreation)))
  },
}

function topicError(broker: BrokerState, topic: string, allowAutoTopicCreation: boolean): ErrorCode {
  if (!isValidTopicName(topic)) {
    return ErrorCode.INVALID_TOPIC_EXCEPTION
  }
  if (broker.topics.has(topic)) {
    return ErrorCode.NONE
  }
  return autoCreateTopic(broker, topic, allowAutoTopicCreation) ? ErrorCode.NONE : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
}

/** Creates a missing topic when both the broker and the request allow it (auto.create.topics.enable). */
export function autoCreateTopic(broker: BrokerState, topic: string, allowedByRequest = true): boolean {
  if (!allowedByRequest || !broker.autoCreateTopics || !isValidTopicName(topic)) {
    return false
  }
  broker.topics.create(topic, broker.defaultPartitions)
  return true
}

function writeTopic(writer: Writer, broker: BrokerState, topic: string, errorCode: ErrorCode): void {
  const count = errorCode === ErrorCode.NONE ? broker.topics.partitionCount(topic) : 0
  const partitions = Array.from({ length: count }, (_, index) => index)
  const replicas = [broker.nodeId]
  writer.int16(errorCode).string(topic).boolean(false)
  writer.array(partitions, (w, index) => {
    w.int16(ErrorCode.NONE).int32(index).int32(broker.nodeId)
    w.array(replicas, (r, id) => r.int32(id))
    w.array(replicas, (r, id) => r.int32(id))
    w.array([], (r, id: number) => r.int32(id))
  })
}
