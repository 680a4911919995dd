import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startKafkaBroker, type KafkaTestBroker } from './broker.js'
import { consumeInto, consumerConfig, createKafka, disconnectAll, range, waitFor, type ReceivedMessage } from './test-support.js'

describe('offsets', () => {
  let broker: KafkaTestBroker

  beforeAll(async () => {
    broker = await startKafkaBroker({ port: 0 })
  })

  afterAll(async () => {
    await broker.stop()
  })

  it('lets a restarted consumer continue after the committed offsets, reading nothing twice', { timeout: 40_000 }, async () => {
    const kafka = createKafka(broker)
    const admin = kafka.admin()
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 })
    const first = kafka.consumer(consumerConfig('ingest-workers'))
    const second = kafka.consumer(consumerConfig('ingest-workers'))
    const before: ReceivedMessage[] = []
    const after: ReceivedMessage[] = []
    try {
      await Promise.all([admin.connect(), producer.connect()])
      await admin.createTopics({ topics: [{ topic: 'environment', numPartitions: 3 }] })
      await producer.send({ topic: 'environment', messages: range(20).map((i) => ({ key: `station-${i}`, value: `old-${i}` })) })
      await consumeInto(first, 'environment', before)
      await waitFor(() => before.length === 20, 'the first 20 messages')
      await first.disconnect()

      const committed = await admin.fetchOffsets({ groupId: 'ingest-workers', topics: ['environment'] })
      const total = committed[0]?.partitions.reduce((sum, p) => sum + Number(p.offset), 0)
      expect(total).toBe(20)

      await producer.send({ topic: 'environment', messages: range(10).map((i) => ({ key: `station-${i}`, value: `new-${i}` })) })
      await consumeInto(second, 'environment', after)
      await waitFor(() => after.length >= 10, 'the 10 new messages')
      await new Promise((resolve) => setTimeout(resolve, 500))
      expect(after.map((m) => m.value).sort()).toEqual(range(10).map((i) => `new-${i}`).sort())
    } finally {
      await disconnectAll(first, second, producer, admin)
    }
  })

  it('sets a stopped group’s offsets from admin, and the next consumer starts there', { timeout: 30_000 }, async () => {
    const kafka = createKafka(broker)
    const admin = kafka.admin()
    const producer = kafka.producer()
    const consumer = kafka.consumer(consumerConfig('replayers'))
    const received: ReceivedMessage[] = []
    try {
      await Promise.all([admin.connect(), producer.connect()])
      await admin.createTopics({ topics: [{ topic: 'events', numPartitions: 1 }] })
      await producer.send({ topic: 'events', messages: range(8).map((i) => ({ value: `case-${i}` })) })
      await admin.setOffsets({ groupId: 'replayers', topic: 'events', partitions: [{ partition: 0, offset: '5' }] })
      await consumeInto(consumer, 'events', received)
      await waitFor(() => received.length >= 3, 'the messages after offset 5')
      expect(received.map((m) => m.offset)).toEqual([5, 6, 7])
    } finally {
      await disconnectAll(consumer, producer, admin)
    }
  })

  it('lists earliest, latest and by-timestamp offsets', { timeout: 20_000 }, async () => {
    const kafka = createKafka(broker)
    const admin = kafka.admin()
    const producer = kafka.producer()
    try {
      await Promise.all([admin.connect(), producer.connect()])
      await admin.createTopics({ topics: [{ topic: 'parking', numPartitions: 1 }] })
      const base = Date.now() - 60_000
      await producer.send({
        topic: 'parking',
        messages: range(6).map((i) => ({ value: `lot-${i}`, timestamp: String(base + i * 1_000) })),
      })
      expect(await admin.fetchTopicOffsets('parking')).toEqual([
        expect.objectContaining({ partition: 0, low: '0', high: '6', offset: '6' }),
      ])
      expect(await admin.fetchTopicOffsetsByTimestamp('parking', base + 2_500)).toEqual([{ partition: 0, offset: '3' }])
    } finally {
      await disconnectAll(producer, admin)
    }
  })
})
