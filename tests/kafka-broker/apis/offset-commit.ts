import { ApiKey } from '../protocol/api-keys.js'
import { ErrorCode } from '../protocol/error-codes.js'
import { Writer } from '../protocol/writer.js'
import type { ApiHandler, BrokerState } from './types.js'

interface CommitRequest {
  partition: number
  offset: number
  metadata: string | null
}

export const offsetCommitApi: ApiHandler = {
  apiKey: ApiKey.OffsetCommit,
  name: 'OffsetCommit',
  minVersion: 5,
  maxVersion: 5,
  handle({ body, broker }) {
    const groupId = body.string()
    const generationId = body.int32()
    const memberId = body.string()
    const topics = body.array((reader) => ({
      name: reader.string(),
      partitions: reader.array((r): CommitRequest => ({ partition: r.int32(), offset: r.int64Number(), metadata: r.nullableString() })),
    }))
    const groupError = broker.groups.checkCommit(groupId, generationId, memberId)
    return new Writer().int32(0).array(topics, (w, topic) => {
      w.string(topic.name).array(topic.partitions, (p, request) => {
        const errorCode = groupError === ErrorCode.NONE ? commit(broker, groupId, topic.name, request) : groupError
        p.int32(request.partition).int16(errorCode)
      })
    })
  },
}

function commit(broker: BrokerState, groupId: string, topic: string, request: CommitRequest): ErrorCode {
  if (!broker.topics.partition(topic, request.partition)) {
    return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
  }
  broker.groups.storeOffset(groupId, topic, request.partition, { offset: request.offset, metadata: request.metadata })
  return ErrorCode.NONE
}
