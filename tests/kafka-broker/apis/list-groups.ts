import { ApiKey } from '../protocol/api-keys.js'
import { ErrorCode } from '../protocol/error-codes.js'
import { Writer } from '../protocol/writer.js'
import type { ApiHandler } from './types.js'

export const listGroupsApi: ApiHandler = {
  apiKey: ApiKey.ListGroups,
  name: 'ListGroups',
  minVersion: 2,
  maxVersion: 2,
  handle({ broker }) {
    return new Writer().int32(0).int16(ErrorCode.NONE).array(broker.groups.list(), (w, group) => {
      w.string(group.groupId).string(group.protocolType)
    })
  },
}
