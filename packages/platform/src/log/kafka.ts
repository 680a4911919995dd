import { CompressionTypes, Kafka, logLevel, Partitioners, type Admin, type Producer } from 'kafkajs'
import type { ProducedMessage, StreamProducer } from './stream-log.js'

export interface KafkaOptions {
  /** host:port list, e.g. from KAFKA_BROKERS=a:9092,b:9092 */
  brokers: string[]
  clientId: string
}

/** A kafkajs client that retries through broker restarts and connection drops. */
export function createKafka({ brokers, clientId }: KafkaOptions): Kafka {
  return new Kafka({
    clientId,
    brokers,
    logLevel: logLevel.WARN,
    connectionTimeout: 3000,
    retry: { initialRetryTime: 200, maxRetryTime: 5000, retries: 20 },
  })
}

/** Creates the topics that do not exist yet; existing ones are left as they are. */
export async function ensureTopics(kafka: Kafka, topics: readonly string[], partitions: number): Promise<void> {
  const admin: Admin = kafka.admin()
  await admin.connect()
  try {
    const existing = new Set(await admin.listTopics())
    const missing = topics.filter((t) => !existing.has(t))
    if (missing.length > 0) {
      await admin.createTopics({ topics: missing.map((topic) => ({ topic, numPartitions: partitions })), waitForLeaders: true })
    }
  } finally {
    await admin.disconnect()
  }
}

export interface KafkaProducer extends StreamProducer {
  close(): Promise<void>
}

/**
 * An idempotent producer: retries never duplicate a message in the log, and messages with the same key
 * (device id or case id) go to the same partition in order.
 */
export async function createKafkaProducer(kafka: Kafka): Promise<KafkaProducer> {
  // The default (murmur2, Java-compatible) partitioner: other Kafka clients place the same keys alike.
  const producer: Producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner })
  await producer.connect()
  return {
    async send(messages: readonly ProducedMessage[]) {
      // Kafka refuses record batches over message.max.bytes (1 MB by default): send in bounded chunks.
      let start = 0
      while (start < messages.length) {
        let bytes = 0
        let end = start
        while (end < messages.length && (end === start || bytes < MAX_REQUEST_BYTES)) {
          bytes += messages[end]!.value.length + (messages[end]!.key?.length ?? 0) + 64
          end++
        }
        await sendChunk(messages.slice(start, end))
        start = end
      }
    },
    close: () => producer.disconnect(),
  }

  async function sendChunk(chunk: readonly ProducedMessage[]): Promise<void> {
    const byTopic = new Map<string, ProducedMessage[]>()
    for (const m of chunk) {
      const list = byTopic.get(m.topic)
      if (list) {
        list.push(m)
      } else {
        byTopic.set(m.topic, [m])
      }
    }
    await producer.sendBatch({
      compression: CompressionTypes.None,
      topicMessages: [...byTopic].map(([topic, list]) => ({
        topic,
        messages: list.map((m) => ({ key: m.key, value: m.value, ...(m.headers ? { headers: m.headers } : {}), ...(m.timestamp !== undefined && m.timestamp >= 0 ? { timestamp: String(Math.floor(m.timestamp)) } : {}) })),
      })),
    })
  }
}

const MAX_REQUEST_BYTES = 256 * 1024
