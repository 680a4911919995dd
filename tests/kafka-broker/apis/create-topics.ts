import { ApiKey } from '../protocol/api-keys.js'
import { ErrorCode } from '../protocol/error-codes.js'
import type { Reader } from '../protocol/reader.js'
import { Writer } from '../protocol/writer.js'
import { isValidTopicName } from '../topic-store.js'
import type { ApiHandler, BrokerState } from './types.js'

interface TopicRequest {
  name: string
  numPartitions: number
  replicationFactor: number
  assignments: { partition: number; brokerIds: number[] }[]
}

interface TopicOutcome {
  name: string
  errorCode: ErrorCode
  message: string | null
  partitions: number
}

export const createTopicsApi: ApiHandler = {
  apiKey: ApiKey.CreateTopics,
  name: 'CreateTopics',
  minVersion: 3,
  maxVersion: 3,
  handle({ body, broker }) {
    const topics = body.array(readTopic)
    body.int32()
    const validateOnly = body.boolean()
    const outcomes = topics.map((topic) => validateTopic(broker, topic, topics))
    for (const outcome of outcomes) {
      if (outcome.errorCode === ErrorCode.NONE && !validateOnly) {
        broker.topics.create(outcome.name, outcome.partitions)
      }
    }
    return new Writer().int32(0).array(outcomes, (w, outcome) => {
      w.string(outcome.name).int16(outcome.errorCode).nullableString(outcome.message)
    })
  },
}

function readTopic(reader: Reader): TopicRequest {
  const name = reader.string()
  const numPartitions = reader.int32()
  const replicationFactor = reader.int16()
  const assignments = reader.array((r) => ({ partition: r.int32(), brokerIds: r.array((ids) => ids.int32()) }))
  reader.array((r) => [r.string(), r.nullableString()])
  return { name, numPartitions, replicationFactor, assignments }
}

function validateTopic(broker: BrokerState, topic: TopicRequest, all: TopicRequest[]): TopicOutcome {
  const fail = (errorCode: ErrorCode, message: string): TopicOutcome => ({ name: topic.name, errorCode, message, partitions: 0 })
  if (all.filter((other) => other.name === topic.name).length > 1) {
    return fail(ErrorCode.INVALID_REQUEST, `Duplicate topic name ${topic.name}`)
  }
  if (!isValidTopicName(topic.name)) {
    return fail(ErrorCode.INVALID_TOPIC_EXCEPTION, `Topic name "${topic.name}" is illegal`)
  }
  if (broker.topics.has(topic.name)) {
    return fail(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${topic.name}' already exists.`)
  }
  if (topic.replicationFactor !== -1 && topic.replicationFactor !== 1) {
    const message = `Replication factor: ${topic.replicationFactor} larger than available brokers: 1.`
    return fail(ErrorCode.INVALID_REPLICATION_FACTOR, message)
  }
  if (topic.assignments.length > 0) {
    return validateAssignments(broker, topic, fail)
  }
  if (topic.numPartitions === -1) {
    return { name: topic.name, errorCode: ErrorCode.NONE, message: null, partitions: broker.defaultPartitions }
  }
  if (topic.numPartitions < 1) {
    return fail(ErrorCode.INVALID_PARTITIONS, 'Number of partitions must be larger than 0.')
  }
  return { name: topic.name, errorCode: ErrorCode.NONE, message: null, partitions: topic.numPartitions }
}

function validateAssignments(
  broker: BrokerState,
  topic: TopicRequest,
  fail: (errorCode: ErrorCode, message: string) => TopicOutcome,
): TopicOutcome {
  if (topic.numPartitions !== -1 || topic.replicationFactor !== -1) {
    return fail(ErrorCode.INVALID_REQUEST, 'Both numPartitions or replicationFactor and replicasAssignments were set.')
  }
  const partitions = topic.assignments.map((assignment) => assignment.partition).sort((a, b) => a - b)
  const isContiguous = partitions.every((partition, index) => partition === index)
  const isOnThisBroker = topic.assignments.every(
    (assignment) => assignment.brokerIds.length === 1 && assignment.brokerIds[0] === broker.nodeId,
  )
  if (!isContiguous || !isOnThisBroker) {
    return fail(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `Invalid replica assignment for topic ${topic.name}`)
  }
  return { name: topic.name, errorCode: ErrorCode.NONE, message: null, partitions: partitions.length }
}
