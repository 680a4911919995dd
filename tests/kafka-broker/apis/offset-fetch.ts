import { ApiKey } from '../protocol/api-keys.js'
import { ErrorCode } from '../protocol/error-codes.js'
import { Writer } from '../protocol/writer.js'
import type { ApiHandler, BrokerState } from './types.js'

export const offsetFetchApi: ApiHandler = {
  apiKey: ApiKey.OffsetFetch,
  name: 'OffsetFetch',
  minVersion: 4,
  maxVersion: 4,
  handle({ body, broker }) {
    const groupId = body.string()
    const requested = body.nullableArray((reader) => ({ name: reader.string(), partitions: reader.array((r) => r.int32()) }))
    const topics = requested ?? committedTopics(broker, groupId)
    const writer = new Writer().int32(0).array(topics, (w, topic) => {
      w.string(topic.name).array(topic.partitions, (p, partition) => {
        const committed = broker.groups.committedOffset(groupId, topic.name, partition)
        p.int32(partition).int64(committed?.offset ?? -1).nullableString(committed ? committed.metadata : '')
        p.int16(ErrorCode.NONE)
      })
    })
    return writer.int16(ErrorCode.NONE)
  },
}

function committedTopics(broker: BrokerState, groupId: string): { name: string; partitions: number[] }[] {
  const byTopic = new Map<string, number[]>()
  for (const { topic, partition } of broker.groups.committedPartitions(groupId)) {
    byTopic.set(topic, [...(byTopic.get(topic) ?? []), partition])
  }
  return [...byTopic].map(([name, partitions]) => ({ name, partitions: partitions.sort((a, b) => a - b) }))
}
