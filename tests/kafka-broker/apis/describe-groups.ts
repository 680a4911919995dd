import { ApiKey } from '../protocol/api-keys.js'
import { ErrorCode } from '../protocol/error-codes.js'
import { Writer } from '../protocol/writer.js'
import type { ApiHandler } from './types.js'

export const describeGroupsApi: ApiHandler = {
  apiKey: ApiKey.DescribeGroups,
  name: 'DescribeGroups',
  minVersion: 2,
  maxVersion: 2,
  handle({ body, broker }) {
    const groups = body.array((reader) => reader.string()).map((groupId) => broker.groups.describe(groupId))
    return new Writer().int32(0).array(groups, (w, group) => {
      w.int16(ErrorCode.NONE).string(group.groupId).string(group.state).string(group.protocolType).string(group.protocolName)
      w.array(group.members, (m, member) => {
        m.string(member.memberId).string(member.clientId).string(member.clientHost)
        m.bytes(member.metadata).bytes(member.assignment)
      })
    })
  },
}
