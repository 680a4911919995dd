import { ApiKey } from '../protocol/api-keys.js'
import { ErrorCode } from '../protocol/error-codes.js'
import { Writer } from '../protocol/writer.js'
import type { ApiHandler } from './types.js'

// v3 is flexible: librdkafka and the Java client open with it; kafkajs 2.2.4 stops at v2.
export function createApiVersionsApi(listApis: () => readonly ApiHandler[]): ApiHandler {
  return {
    apiKey: ApiKey.ApiVersions,
    name: 'ApiVersions',
    minVersion: 0,
    maxVersion: 3,
    flexibleFrom: 3,
    handle({ version, flexible, body }) {
      if (version >= 3) {
        body.nullableString()
        body.nullableString()
        body.taggedFields()
      }
      return writeApiVersions(new Writer({ flexible }), version, ErrorCode.NONE, listApis())
    },
  }
}

/** The v0 answer Kafka gives to an ApiVersions version it does not know, listing what it does. */
export function unsupportedApiVersionsResponse(apis: readonly ApiHandler[]): Writer {
  return writeApiVersions(new Writer(), 0, ErrorCode.UNSUPPORTED_VERSION, apis)
}

function writeApiVersions(writer: Writer, version: number, errorCode: ErrorCode, apis: readonly ApiHandler[]): Writer {
  const sorted = [...apis].sort((a, b) => a.apiKey - b.apiKey)
  writer.int16(errorCode).array(sorted, (w, api) => {
    w.int16(api.apiKey).int16(api.minVersion).int16(api.maxVersion).taggedFields()
  })
  if (version >= 1) {
    writer.int32(0)
  }
  return writer.taggedFields()
}
