import { ApiKey } from '../protocol/api-keys.js'
import { Writer } from '../protocol/writer.js'
import type { ApiHandler } from './types.js'

// group_instance_id (static membership, KIP-345) is read but not honoured: kafkajs always sends null.
export const joinGroupApi: ApiHandler = {
  apiKey: ApiKey.JoinGroup,
  name: 'JoinGroup',
  minVersion: 5,
  maxVersion: 5,
  async handle({ body, broker, client }) {
    const groupId = body.string()
    const sessionTimeoutMs = body.int32()
    const rebalanceTimeoutMs = body.int32()
    const memberId = body.string()
    const groupInstanceId = body.nullableString()
    const protocolType = body.string()
    const protocols = body.array((reader) => ({ name: reader.string(), metadata: reader.bytes() }))
    const result = await broker.groups.join(groupId, {
      memberId,
      groupInstanceId,
      sessionTimeoutMs,
      rebalanceTimeoutMs,
      protocolType,
      protocols,
      clientId: client.clientId,
      clientHost: client.host,
    })
    const writer = new Writer().int32(0).int16(result.errorCode).int32(result.generationId)
    writer.string(result.protocolName).string(result.leaderId).string(result.memberId)
    return writer.array(result.members, (w, member) => {
      w.string(member.memberId).nullableString(member.groupInstanceId).bytes(member.metadata)
    })
  },
}
