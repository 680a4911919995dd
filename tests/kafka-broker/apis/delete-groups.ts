import { ApiKey } from '../protocol/api-keys.js'
import { Writer } from '../protocol/writer.js'
import type { ApiHandler } from './types.js'

export const deleteGroupsApi: ApiHandler = {
  apiKey: ApiKey.DeleteGroups,
  name: 'DeleteGroups',
  minVersion: 1,
  maxVersion: 1,
  handle({ body, broker }) {
    const groupIds = body.array((reader) => reader.string())
    return new Writer().int32(0).array(groupIds, (w, groupId) => w.string(groupId).int16(broker.groups.delete(groupId)))
  },
}
