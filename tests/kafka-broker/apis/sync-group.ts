import { ApiKey } from '../protocol/api-keys.js'
import { Writer } from '../protocol/writer.js'
import type { ApiHandler } from './types.js'

export const syncGroupApi: ApiHandler = {
  apiKey: ApiKey.SyncGroup,
  name: 'SyncGroup',
  minVersion: 3,
  maxVersion: 3,
  async handle({ body, broker }) {
    const groupId = body.string()
    const generationId = body.int32()
    const memberId = body.string()
    body.nullableString()
    const assignments = body.array((reader) => [reader.string(), reader.bytes()] as const)
    const result = await broker.groups.sync(groupId, generationId, memberId, new Map(assignments))
    return new Writer().int32(0).int16(result.errorCode).bytes(result.assignment)
  },
}
