import kafkajs from 'kafkajs'
import type { Consumer, ConsumerConfig, EachMessagePayload, Kafka } from 'kafkajs'
import type { KafkaTestBroker } from './broker.js'

const { Kafka: KafkaClient, logLevel } = kafkajs

export interface ReceivedMessage {
  topic: string
  partition: number
  offset: number
  key: string | null
  value: string | null
  headers: Record<string, string>
}

/** A kafkajs client with short timeouts and retries, so a broken broker fails a test instead of hanging it. */
export function createKafka(broker: KafkaTestBroker, clientId = 'kafka-broker-test'): Kafka {
  return new KafkaClient({
    clientId,
    brokers: broker.brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1_000,
    requestTimeout: 5_000,
    retry: { retries: 10, initialRetryTime: 50, maxRetryTime: 1_000 },
  })
}

export function consumerConfig(groupId: string, overrides: Partial<ConsumerConfig> = {}): ConsumerConfig {
  return {
    groupId,
    sessionTimeout: 6_000,
    rebalanceTimeout: 6_000,
    heartbeatInterval: 200,
    maxWaitTimeInMs: 200,
    retry: { retries: 10, initialRetryTime: 50, maxRetryTime: 1_000 },
    ...overrides,
  }
}

export function toReceived({ topic, partition, message }: EachMessagePayload): ReceivedMessage {
  const headers: Record<string, string> = {}
  for (const [key, value] of Object.entries(message.headers ?? {})) {
    headers[key] = String(value)
  }
  return {
    topic,
    partition,
    offset: Number(message.offset),
    key: message.key?.toString() ?? null,
    value: message.value?.toString() ?? null,
    headers,
  }
}

/** Subscribes and runs the consumer, appending every message it is given to `sink`. */
export async function consumeInto(consumer: Consumer, topic: string, sink: ReceivedMessage[]): Promise<void> {
  await consumer.connect()
  await consumer.subscribe({ topics: [topic], fromBeginning: true })
  await consumer.run({
    eachMessage: async (payload) => {
      sink.push(toReceived(payload))
    },
  })
}

/** The partitions the consumer was last assigned, per topic, kept current from its GROUP_JOIN events. */
export function trackAssignment(consumer: Consumer): () => Record<string, number[]> {
  let assignment: Record<string, number[]> = {}
  consumer.on(consumer.events.GROUP_JOIN, (event) => {
    assignment = event.payload.memberAssignment
  })
  return () => assignment
}

export async function waitFor(check: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

export async function disconnectAll(...clients: { disconnect(): Promise<void> }[]): Promise<void> {
  await Promise.allSettled(clients.map((client) => client.disconnect()))
}

export function range(count: number): number[] {
  return Array.from({ length: count }, (_, i) => i)
}
