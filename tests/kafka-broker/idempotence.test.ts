import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeRecordBatch, type BatchOverrides } from './__fixtures__/record-batch.js'
import { startKafkaBroker, type KafkaTestBroker } from './broker.js'
import { ApiKey } from './protocol/api-keys.js'
import { ErrorCode } from './protocol/error-codes.js'
import { connectRaw, type RawClient } from './raw-client.js'

const TOPIC = 'idempotent'

describe('idempotent produce at the protocol level', () => {
  let broker: KafkaTestBroker
  let client: RawClient
  let producerId: bigint

  const produce = async (count: number, overrides: BatchOverrides, acks = -1) => {
    const records = Array.from({ length: count }, (_, i) => ({ key: 'k', value: `seq-${(overrides.baseSequence ?? 0) + i}` }))
    const batch = makeRecordBatch(records, { producerId, producerEpoch: 0, ...overrides })
    const response = client.send({
      apiKey: ApiKey.Produce,
      version: 7,
      hasResponse: acks !== 0,
      body: (w) => {
        w.nullableString(null).int16(acks).int32(5_000)
        w.array([TOPIC], (t, name) => t.string(name).array([0], (p, index) => p.int32(index).bytes(batch)))
      },
    })
    const reader = await response
    if (acks === 0) {
      return undefined
    }
    reader.int32()
    reader.string()
    reader.int32()
    reader.int32()
    return { errorCode: reader.int16(), baseOffset: Number(reader.int64()) }
  }

  const storedValues = () => broker.records(TOPIC, 0).map((record) => record.value?.toString())

  beforeAll(async () => {
    broker = await startKafkaBroker({ port: 0, defaultPartitions: 1 })
    client = await connectRaw(broker.port)
    const init = await client.send({ apiKey: ApiKey.InitProducerId, version: 1, body: (w) => w.nullableString(null).int32(60_000) })
    init.int32()
    expect(init.int16()).toBe(ErrorCode.NONE)
    producerId = init.int64()
  })

  afterAll(async () => {
    client.close()
    await broker.stop()
  })

  it('acknowledges a retried batch with its original offset and stores it once', async () => {
    expect(await produce(3, { baseSequence: 0 })).toEqual({ errorCode: ErrorCode.NONE, baseOffset: 0 })
    expect(await produce(3, { baseSequence: 0 })).toEqual({ errorCode: ErrorCode.NONE, baseOffset: 0 })
    expect(await produce(2, { baseSequence: 3 })).toEqual({ errorCode: ErrorCode.NONE, baseOffset: 3 })
    expect(storedValues()).toEqual(['seq-0', 'seq-1', 'seq-2', 'seq-3', 'seq-4'])
  })

  it('rejects a gap in the sequence with OUT_OF_ORDER_SEQUENCE_NUMBER', async () => {
    expect(await produce(1, { baseSequence: 9 })).toMatchObject({ errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER })
    expect(storedValues()).toHaveLength(5)
  })

  it('fences a batch from an older producer epoch', async () => {
    expect(await produce(1, { producerEpoch: 1, baseSequence: 0 })).toEqual({ errorCode: ErrorCode.NONE, baseOffset: 5 })
    expect(await produce(1, { producerEpoch: 0, baseSequence: 5 })).toMatchObject({ errorCode: ErrorCode.INVALID_PRODUCER_EPOCH })
  })

  it('sends no response to acks=0 but still appends', async () => {
    await produce(1, { producerId: -1n, producerEpoch: -1, baseSequence: -1 }, 0)
    const metadata = await client.send({ apiKey: ApiKey.Metadata, version: 6, body: (w) => w.array([TOPIC], (t, n) => t.string(n)).boolean(false) })
    expect(metadata.int32()).toBe(0)
    expect(storedValues()).toHaveLength(7)
  })

  it('rejects a corrupted batch without storing it', async () => {
    const batch = makeRecordBatch([{ key: 'k', value: 'v' }])
    batch.writeUInt8(batch.readUInt8(batch.length - 1) ^ 0xff, batch.length - 1)
    const reader = await client.send({
      apiKey: ApiKey.Produce,
      version: 7,
      body: (w) => w.nullableString(null).int16(1).int32(5_000).array([TOPIC], (t, name) => t.string(name).array([0], (p, i) => p.int32(i).bytes(batch))),
    })
    reader.int32()
    reader.string()
    reader.int32()
    reader.int32()
    expect(reader.int16()).toBe(ErrorCode.CORRUPT_MESSAGE)
    expect(storedValues()).toHaveLength(7)
  })
})
