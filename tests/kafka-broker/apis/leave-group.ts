import { ApiKey } from '../protocol/api-keys.js'
import { ErrorCode } from '../protocol/error-codes.js'
import { Writer } from '../protocol/writer.js'
import type { ApiHandler } from './types.js'

export const leaveGroupApi: ApiHandler = {
  apiKey: ApiKey.LeaveGroup,
  name: 'LeaveGroup',
  minVersion: 3,
  maxVersion: 3,
  handle({ body, broker }) {
    const groupId = body.string()
    const members = body.array((reader) => ({ memberId: reader.string(), groupInstanceId: reader.nullableString() }))
    const results = members.map((member) => ({ ...member, errorCode: broker.groups.leave(groupId, member.memberId) }))
    return new Writer().int32(0).int16(ErrorCode.NONE).array(results, (w, result) => {
      w.string(result.memberId).nullableString(result.groupInstanceId).int16(result.errorCode)
    })
  },
}
