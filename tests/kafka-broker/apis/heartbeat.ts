import { ApiKey } from '../protocol/api-keys.js'
import { Writer } from '../protocol/writer.js'
import type { ApiHandler } from './types.js'

export const heartbeatApi: ApiHandler = {
  apiKey: ApiKey.Heartbeat,
  name: 'Heartbeat',
  minVersion: 3,
  maxVersion: 3,
  handle({ body, broker }) {
    const groupId = body.string()
    const generationId = body.int32()
    const memberId = body.string()
    body.nullableString()
    return new Writer().int32(0).int16(broker.groups.heartbeat(groupId, generationId, memberId))
  },
}
