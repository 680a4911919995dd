import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { apis } from './apis/registry.js'
import { startKafkaBroker, type KafkaTestBroker } from './broker.js'
import { ApiKey } from './protocol/api-keys.js'
import { ErrorCode } from './protocol/error-codes.js'
import type { Reader } from './protocol/reader.js'
import { connectRaw, type RawClient } from './raw-client.js'

function readApiKeys(reader: Reader): { apiKey: number; minVersion: number; maxVersion: number }[] {
  return reader.array((r) => {
    const entry = { apiKey: r.int16(), minVersion: r.int16(), maxVersion: r.int16() }
    r.taggedFields()
    return entry
  })
}

// kafkajs 2.2.4 picks min(its highest, ours) per API; these are its highest.
const KAFKAJS_VERSIONS: Record<number, number> = {
  [ApiKey.Produce]: 7,
  [ApiKey.Fetch]: 11,
  [ApiKey.ListOffsets]: 3,
  [ApiKey.Metadata]: 6,
  [ApiKey.OffsetCommit]: 5,
  [ApiKey.OffsetFetch]: 4,
  [ApiKey.FindCoordinator]: 2,
  [ApiKey.JoinGroup]: 5,
  [ApiKey.Heartbeat]: 3,
  [ApiKey.LeaveGroup]: 3,
  [ApiKey.SyncGroup]: 3,
  [ApiKey.DescribeGroups]: 2,
  [ApiKey.ListGroups]: 2,
  [ApiKey.ApiVersions]: 2,
  [ApiKey.CreateTopics]: 3,
  [ApiKey.DeleteTopics]: 1,
  [ApiKey.InitProducerId]: 1,
  [ApiKey.CreatePartitions]: 1,
  [ApiKey.DeleteGroups]: 1,
}

describe('ApiVersions and request framing', () => {
  let broker: KafkaTestBroker
  let client: RawClient

  beforeAll(async () => {
    broker = await startKafkaBroker({ port: 0 })
  })

  afterAll(async () => {
    client?.close()
    await broker.stop()
  })

  it('advertises each API at the version kafkajs uses', async () => {
    client = await connectRaw(broker.port)
    const reader = await client.send({ apiKey: ApiKey.ApiVersions, version: 2 })
    expect(reader.int16()).toBe(ErrorCode.NONE)
    const advertised = readApiKeys(reader)
    expect(reader.int32()).toBe(0)
    expect(advertised.map((api) => api.apiKey)).toEqual(apis.map((api) => api.apiKey).sort((a, b) => a - b))
    for (const api of advertised) {
      expect(Math.min(KAFKAJS_VERSIONS[api.apiKey] ?? -1, api.maxVersion), `API ${api.apiKey}`).toBe(KAFKAJS_VERSIONS[api.apiKey])
    }
  })

  it('answers the flexible ApiVersions v3 with compact arrays and tagged fields', async () => {
    const reader = await client.send({
      apiKey: ApiKey.ApiVersions,
      version: 3,
      flexible: true,
      isApiVersions: true,
      body: (w) => w.string('test-client').string('1.0.0').taggedFields(),
    })
    expect(reader.int16()).toBe(ErrorCode.NONE)
    const advertised = readApiKeys(reader)
    expect(reader.int32()).toBe(0)
    reader.taggedFields()
    expect(reader.remaining).toBe(0)
    expect(advertised.find((api) => api.apiKey === ApiKey.ApiVersions)).toEqual({ apiKey: 18, minVersion: 0, maxVersion: 3 })
  })

  it('answers an unknown ApiVersions version with UNSUPPORTED_VERSION and the v0 list', async () => {
    const reader = await client.send({ apiKey: ApiKey.ApiVersions, version: 9 })
    expect(reader.int16()).toBe(ErrorCode.UNSUPPORTED_VERSION)
    expect(readApiKeys(reader).length).toBe(apis.length)
    expect(reader.remaining).toBe(0)
  })

  it('closes the connection on a version it does not support', async () => {
    const unsupported = client.send({ apiKey: ApiKey.Metadata, version: 12, flexible: true })
    await expect(unsupported).rejects.toThrow('connection closed')
    await client.closed
  })
})
