import kafkajs from 'kafkajs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startKafkaBroker, type KafkaTestBroker } from './broker.js'
import {
  consumeInto,
  consumerConfig,
  createKafka,
  disconnectAll,
  range,
  waitFor,
  type ReceivedMessage,
} from './test-support.js'

const { CompressionTypes } = kafkajs

describe('producing and consuming with kafkajs', () => {
  let broker: KafkaTestBroker

  beforeAll(async () => {
    broker = await startKafkaBroker({ port: 0 })
  })

  afterAll(async () => {
    await broker.stop()
  })

  it('delivers keyed messages with headers from an idempotent producer in per-partition order', { timeout: 30_000 }, async () => {
    const kafka = createKafka(broker)
    const admin = kafka.admin()
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 })
    const consumer = kafka.consumer(consumerConfig('readings-readers'))
    const received: ReceivedMessage[] = []
    try {
      await admin.connect()
      await admin.createTopics({ topics: [{ topic: 'readings', numPartitions: 3 }] })
      await producer.connect()
      for (const start of range(6).map((i) => i * 10)) {
        await producer.send({
          topic: 'readings',
          messages: range(10).map((i) => ({
            key: `device-${(start + i) % 7}`,
            value: `reading-${start + i}`,
            headers: { 'message-id': `m-${start + i}`, source: 'traffic' },
          })),
        })
      }
      await consumeInto(consumer, 'readings', received)
      await waitFor(() => received.length >= 60, '60 messages')

      expect(received).toHaveLength(60)
      for (const message of received) {
        expect(message.headers).toEqual({ 'message-id': `m-${message.value?.slice('reading-'.length)}`, source: 'traffic' })
      }
      for (const partition of range(3)) {
        const offsets = received.filter((m) => m.partition === partition).map((m) => m.offset)
        expect(offsets).toEqual(range(offsets.length))
      }
      for (const key of new Set(received.map((m) => m.key))) {
        const sequence = received.filter((m) => m.key === key).map((m) => Number(m.value?.slice('reading-'.length)))
        expect(sequence).toEqual([...sequence].sort((a, b) => a - b))
        expect(new Set(received.filter((m) => m.key === key).map((m) => m.partition)).size).toBe(1)
      }
      const stored = range(3).flatMap((partition) => broker.records('readings', partition))
      expect(stored).toHaveLength(60)
      expect(stored.every((record) => record.headers.length === 2)).toBe(true)
    } finally {
      await disconnectAll(consumer, producer, admin)
    }
  })

  it('accepts a GZIP batch and serves it back decompressed', { timeout: 30_000 }, async () => {
    const kafka = createKafka(broker)
    const producer = kafka.producer()
    const consumer = kafka.consumer(consumerConfig('gzip-readers'))
    const received: ReceivedMessage[] = []
    try {
      await producer.connect()
      const messages = range(50).map((i) => ({ key: 'station-1', value: `noise ${i} `.repeat(20), headers: { n: String(i) } }))
      await producer.send({ topic: 'gzipped', compression: CompressionTypes.GZIP, messages })
      await consumeInto(consumer, 'gzipped', received)
      await waitFor(() => received.length >= 50, '50 gzip messages')

      expect(received.map((m) => m.value)).toEqual(messages.map((m) => m.value))
      expect(received.map((m) => m.headers.n)).toEqual(range(50).map(String))
      const partition = received[0]?.partition ?? -1
      expect(broker.records('gzipped', partition).map((r) => r.value?.toString())).toEqual(messages.map((m) => m.value))
    } finally {
      await disconnectAll(consumer, producer)
    }
  })

  it('lets a consumer seek back to an earlier offset', { timeout: 30_000 }, async () => {
    const kafka = createKafka(broker)
    const admin = kafka.admin()
    const producer = kafka.producer()
    const consumer = kafka.consumer(consumerConfig('seekers'))
    const received: ReceivedMessage[] = []
    try {
      await admin.connect()
      await admin.createTopics({ topics: [{ topic: 'cases', numPartitions: 1 }] })
      await producer.connect()
      await producer.send({ topic: 'cases', messages: range(10).map((i) => ({ value: `case-${i}` })) })
      await consumeInto(consumer, 'cases', received)
      await waitFor(() => received.length >= 10, 'the first pass')

      consumer.seek({ topic: 'cases', partition: 0, offset: '3' })
      await waitFor(() => received.length >= 17, 'the replay from offset 3')

      expect(received.map((m) => m.offset)).toEqual([...range(10), ...range(7).map((i) => i + 3)])
    } finally {
      await disconnectAll(consumer, producer, admin)
    }
  })
})
