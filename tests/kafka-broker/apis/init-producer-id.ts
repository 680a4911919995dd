import { ApiKey } from '../protocol/api-keys.js'
import { ErrorCode } from '../protocol/error-codes.js'
import { Writer } from '../protocol/writer.js'
import type { ApiHandler } from './types.js'

export const initProducerIdApi: ApiHandler = {
  apiKey: ApiKey.InitProducerId,
  name: 'InitProducerId',
  minVersion: 1,
  maxVersion: 1,
  handle({ body, broker }) {
    const transactionalId = body.nullableString()
    body.int32()
    const { producerId, epoch } = broker.producers.initProducerId(transactionalId)
    return new Writer().int32(0).int16(ErrorCode.NONE).int64(producerId).int16(epoch)
  },
}
