import type { Consumer, Kafka } from 'kafkajs'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startKafkaBroker, type KafkaTestBroker } from './broker.js'
import { consumerConfig, createKafka, disconnectAll, range, toReceived, waitFor, type ReceivedMessage } from './test-support.js'

const TOPIC = 'city.stream'
const BATCHES = 30
const BATCH_SIZE = 10
const FAULTS = 3
const FAULT_INTERVAL_MS = 120

interface Observed {
  received: ReceivedMessage[]
  /** Deliveries of an offset below what the consumer had already committed: must never happen. */
  redeliveredBeforeCommit: ReceivedMessage[]
}

/** Runs a consumer that records every delivery and checks each redelivery against the offsets it committed. */
async function observe(consumer: Consumer): Promise<Observed> {
  const observed: Observed = { received: [], redeliveredBeforeCommit: [] }
  const committed = new Map<number, number>()
  const seen = new Set<string>()
  consumer.on(consumer.events.COMMIT_OFFSETS, ({ payload }) => {
    for (const { partition, offset } of payload.topics.flatMap((topic) => topic.partitions)) {
      committed.set(Number(partition), Math.max(committed.get(Number(partition)) ?? 0, Number(offset)))
    }
  })
  await consumer.connect()
  await consumer.subscribe({ topics: [TOPIC], fromBeginning: true })
  await consumer.run({
    eachMessage: async (payload) => {
      const message = toReceived(payload)
      const id = `${message.partition}:${message.offset}`
      if (seen.has(id) && message.offset < (committed.get(message.partition) ?? 0)) {
        observed.redeliveredBeforeCommit.push(message)
      }
      seen.add(id)
      observed.received.push(message)
    },
  })
  return observed
}

/** Produces BATCHES × BATCH_SIZE distinct values one send at a time while `inject` strikes three times. */
async function produceThrough(kafka: Kafka, inject: () => Promise<void> | void): Promise<string[]> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 })
  const values: string[] = []
  let isProducing = true
  const chaos = (async () => {
    for (let fault = 0; fault < FAULTS; fault++) {
      await new Promise((resolve) => setTimeout(resolve, FAULT_INTERVAL_MS))
      if (isProducing) {
        await inject()
      }
    }
  })()
  try {
    await producer.connect()
    for (const batch of range(BATCHES)) {
      const messages = range(BATCH_SIZE).map((i) => ({ key: `device-${i}`, value: `v-${batch * BATCH_SIZE + i}` }))
      await producer.send({ topic: TOPIC, messages })
      values.push(...messages.map((m) => m.value))
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
  } finally {
    isProducing = false
    await chaos
    await disconnectAll(producer)
  }
  return values
}

function storedValues(broker: KafkaTestBroker): string[] {
  return range(3).flatMap((partition) => broker.records(TOPIC, partition).map((record) => record.value?.toString() ?? ''))
}

describe('recovery from faults', () => {
  let broker: KafkaTestBroker
  let kafka: Kafka

  beforeEach(async () => {
    broker = await startKafkaBroker({ port: 0 })
    kafka = createKafka(broker)
    const admin = kafka.admin()
    await admin.connect()
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 3 }] })
    await admin.disconnect()
  })

  afterEach(async () => {
    await broker.stop()
  })

  it.each([
    { fault: 'dropped connections', inject: () => broker.dropConnections() },
    { fault: 'a broker restart', inject: () => broker.restart({ downtimeMs: 200 }) },
  ])('loses and duplicates nothing through $fault mid-stream', { timeout: 60_000 }, async ({ inject }) => {
    // A consumer that crashes while the broker is down rejoins as a new member; its old self leaves only by session timeout.
    const consumer = kafka.consumer(consumerConfig('resilient', { sessionTimeout: 2_000, rebalanceTimeout: 3_000 }))
    try {
      const observed = await observe(consumer)
      const produced = await produceThrough(kafka, inject)
      const delivered = () => new Set(observed.received.map((m) => m.value))
      await waitFor(() => produced.every((value) => delivered().has(value)), 'every produced value to be consumed', 30_000)

      expect(storedValues(broker).sort()).toEqual([...produced].sort())
      expect(observed.redeliveredBeforeCommit).toEqual([])
      for (const partition of range(3)) {
        const offsets = broker.records(TOPIC, partition).map((record) => record.offset)
        expect(offsets).toEqual(range(offsets.length))
      }
    } finally {
      await disconnectAll(consumer)
    }
  })
})
