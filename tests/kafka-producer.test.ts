import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TOPICS } from '@city/metrics/wire'
import { createKafka } from '@city/platform'
import { simulate } from './support/embedded.js'
import { startKafkaWorld, waitUntil, type KafkaWorld } from './support/kafka.js'

const END = Date.parse('2026-11-23T08:30:00+08:00')
const messages = simulate(END - 5 * 60_000, END, { seed: 11, badShare: 0 })
let world: KafkaWorld
beforeAll(async () => {
  world = await startKafkaWorld()
})
afterAll(() => world.stop())

describe('the Kafka producer', () => {
  it('gives each record its event time as the timestamp (workers read partitions in step by it), and leaves Kafka to stamp records without one', async () => {
    const sentAt = Date.now()
    await world.send(messages)
    await world.producer.send([{ topic: TOPICS.events, key: 'no-time', value: '{}' }, { topic: TOPICS.events, key: 'before-1970', value: '{}', timestamp: -5 }])

    const consumer = createKafka({ brokers: world.broker.brokers, clientId: 'timestamps' }).consumer({ groupId: 'timestamps' })
    const seen = new Map<string, number[]>()
    await consumer.connect()
    await consumer.subscribe({ topics: [TOPICS.traffic, TOPICS.environment, TOPICS.events], fromBeginning: true })
    await consumer.run({
      eachMessage: async ({ message }) => {
        const key = message.key!.toString()
        seen.set(key, [...(seen.get(key) ?? []), Number(message.timestamp)])
      },
    })
    const total = () => [...seen.values()].reduce((n, times) => n + times.length, 0)
    await waitUntil(async () => total() >= messages.length + 2, 20_000)
    await consumer.disconnect()

    // Per key (device or case) in the order sent: each message's own event time, to the millisecond.
    const expected = new Map<string, number[]>()
    for (const m of messages) {
      expected.set(m.key, [...(expected.get(m.key) ?? []), Math.floor(m.atMs)])
    }
    for (const [key, times] of expected) {
      expect(seen.get(key), key).toEqual(times)
    }
    for (const key of ['no-time', 'before-1970']) {
      expect(seen.get(key)![0]).toBeGreaterThanOrEqual(sentAt)
    }
  })
})
