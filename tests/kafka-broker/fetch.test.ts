import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeRecordBatch } from './__fixtures__/record-batch.js'
import { startKafkaBroker, type KafkaTestBroker } from './broker.js'
import { ApiKey } from './protocol/api-keys.js'
import { ErrorCode } from './protocol/error-codes.js'
import { decodeRecordBatch, splitRecordSet } from './protocol/record-batch.js'
import { connectRaw, type RawClient } from './raw-client.js'

const TOPIC = 'fetched'

interface FetchOptions {
  offset: number
  maxWaitMs?: number
  minBytes?: number
  maxBytes?: number
  partitionMaxBytes?: number
}

describe('Fetch at the protocol level', () => {
  let broker: KafkaTestBroker
  let consumer: RawClient
  let producer: RawClient

  const produce = async (values: string[]) => {
    const batch = makeRecordBatch(values.map((value) => ({ key: null, value })))
    const reader = await producer.send({
      apiKey: ApiKey.Produce,
      version: 7,
      body: (w) => w.nullableString(null).int16(1).int32(5_000).array([TOPIC], (t, name) => t.string(name).array([0], (p, i) => p.int32(i).bytes(batch))),
    })
    reader.int32()
    reader.string()
    reader.int32()
    reader.int32()
    expect(reader.int16()).toBe(ErrorCode.NONE)
  }

  const fetch = async ({ offset, maxWaitMs = 0, minBytes = 1, maxBytes = 1_048_576, partitionMaxBytes = 1_048_576 }: FetchOptions) => {
    const startedAt = Date.now()
    const reader = await consumer.send({
      apiKey: ApiKey.Fetch,
      version: 11,
      body: (w) => {
        w.int32(-1).int32(maxWaitMs).int32(minBytes).int32(maxBytes).int8(1).int32(0).int32(-1)
        w.array([TOPIC], (t, name) => t.string(name).array([0], (p, i) => p.int32(i).int32(-1).int64(offset).int64(-1).int32(partitionMaxBytes)))
        w.array([], () => {}).string('')
      },
    })
    reader.int32()
    expect(reader.int16()).toBe(ErrorCode.NONE)
    reader.int32()
    const [partition] = reader.array((t) => {
      t.string()
      return t.array((p) => {
        const result = { partition: p.int32(), errorCode: p.int16(), highWatermark: Number(p.int64()) }
        p.int64()
        p.int64()
        p.array((aborted) => aborted.int64())
        p.int32()
        const batches = splitRecordSet(p.bytes()).map(decodeRecordBatch)
        return { ...result, values: batches.flatMap((b) => b.records.map((r) => r.value?.toString())), batchCount: batches.length }
      })
    }).flat()
    return { ...partition, elapsedMs: Date.now() - startedAt }
  }

  beforeAll(async () => {
    broker = await startKafkaBroker({ port: 0, defaultPartitions: 1 })
    ;[consumer, producer] = await Promise.all([connectRaw(broker.port), connectRaw(broker.port)])
    await produce(['a', 'b'])
    await produce(['c'.repeat(1_000)])
  })

  afterAll(async () => {
    consumer.close()
    producer.close()
    await broker.stop()
  })

  it('serves whole batches from the one holding the fetch offset', async () => {
    const result = await fetch({ offset: 1 })
    expect(result).toMatchObject({ errorCode: ErrorCode.NONE, highWatermark: 3, batchCount: 2 })
    expect(result.values).toEqual(['a', 'b', 'c'.repeat(1_000)])
  })

  it('stops at the partition byte limit but always returns at least one batch', async () => {
    expect(await fetch({ offset: 0, partitionMaxBytes: 10 })).toMatchObject({ batchCount: 1, values: ['a', 'b'] })
    expect(await fetch({ offset: 2, maxBytes: 10 })).toMatchObject({ batchCount: 1 })
  })

  it('waits up to maxWaitTime when there is not enough data', async () => {
    const result = await fetch({ offset: 3, maxWaitMs: 300 })
    expect(result.values).toEqual([])
    expect(result.elapsedMs).toBeGreaterThanOrEqual(290)
  })

  it('answers a waiting fetch as soon as a record arrives', async () => {
    const waiting = fetch({ offset: 3, maxWaitMs: 10_000 })
    await new Promise((resolve) => setTimeout(resolve, 100))
    await produce(['late'])
    const result = await waiting
    expect(result.values).toEqual(['late'])
    expect(result.elapsedMs).toBeLessThan(5_000)
  })

  it('keeps waiting until minBytes have arrived', async () => {
    const waiting = fetch({ offset: 4, maxWaitMs: 10_000, minBytes: 150 })
    await produce(['x'])
    await new Promise((resolve) => setTimeout(resolve, 100))
    await produce(['y'.repeat(100)])
    expect((await waiting).values).toEqual(['x', 'y'.repeat(100)])
  })

  it('answers OFFSET_OUT_OF_RANGE beyond the high watermark', async () => {
    expect(await fetch({ offset: 99 })).toMatchObject({ errorCode: ErrorCode.OFFSET_OUT_OF_RANGE, highWatermark: 6 })
  })
})
