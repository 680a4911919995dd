import { ApiKey } from '../protocol/api-keys.js'
import { ErrorCode } from '../protocol/error-codes.js'
import { Writer } from '../protocol/writer.js'
import type { ApiHandler } from './types.js'

// The only broker coordinates every group (and would every transactional id).
export const findCoordinatorApi: ApiHandler = {
  apiKey: ApiKey.FindCoordinator,
  name: 'FindCoordinator',
  minVersion: 2,
  maxVersion: 2,
  handle({ body, broker }) {
    body.string()
    body.int8()
    const { host, port } = broker.advertised
    return new Writer().int32(0).int16(ErrorCode.NONE).nullableString(null).int32(broker.nodeId).string(host).int32(port)
  },
}
