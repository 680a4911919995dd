import { createServer } from 'node:http'
import { register } from 'prom-client'
import type { Device } from '@city/demo-city'
import { startKafkaConsumer, startLogConsumer } from '@city/ingest'
import type { RegionTree } from '@city/metrics'
import { TOPICS } from '@city/metrics/wire'
import {
  createKafka, createKafkaProducer, ensureTopics, MemoryLog,
  type Db, type ProducedMessage, type PubSub, type StreamProducer,
} from '@city/platform'
import type { Config } from './config.js'

/** Where streams flow: Apache Kafka when KAFKA_BROKERS is set, else the in-process log. */
export interface StreamSetup {
  /** Producer for the simulator, replay --publish and dead letters; takes canonical topic names. */
  producer: StreamProducer
  memory?: MemoryLog
  kafka?: ReturnType<typeof createKafka>
  close(): Promise<void>
}

const CANONICAL_PREFIX = 'city.'

export async function openStream(config: Config, clientId: string): Promise<StreamSetup> {
  if (!config.KAFKA_BROKERS) {
    const memory = new MemoryLog({ partitions: 3 })
    return { producer: memory, memory, close: async () => undefined }
  }
  const kafka = createKafka({ brokers: config.KAFKA_BROKERS.split(',').map((b) => b.trim()), clientId })
  const prefixed = (topic: string) => `${config.KAFKA_TOPIC_PREFIX}${topic.slice(CANONICAL_PREFIX.length)}`
  await ensureTopics(kafka, [TOPICS.traffic, TOPICS.environment, TOPICS.events, TOPICS.deadletter].map(prefixed), config.KAFKA_PARTITIONS)
  const producer = await createKafkaProducer(kafka)
  return {
    kafka,
    producer: { send: (messages: readonly ProducedMessage[]) => producer.send(messages.map((m) => ({ ...m, topic: prefixed(m.topic) }))) },
    close: () => producer.close(),
  }
}

export interface IngestDeps {
  db: Db
  pubsub: PubSub
  stream: StreamSetup
  tree: RegionTree
  devices: Device[]
}

/** The ingest role on whichever source is configured; returns how to stop it cleanly. */
export async function startIngestRole(config: Config, deps: IngestDeps, onError: (error: unknown) => void): Promise<{ stop(): Promise<void> }> {
  const common = {
    db: deps.db, pubsub: deps.pubsub, tree: deps.tree, devices: deps.devices, timeZone: config.TIME_ZONE,
    flushIntervalMs: config.FLUSH_INTERVAL_MS, allowedLatenessMs: config.ALLOWED_LATENESS_H * 3_600_000,
    maxSkewMs: config.MAX_CLOCK_SKEW_S * 1000, dedupeWindowMs: config.DEDUPE_WINDOW_MIN * 60_000, onError,
  }
  if (deps.stream.kafka) {
    return startKafkaConsumer({ ...common, kafka: deps.stream.kafka, deadLetters: deps.stream.producer, groupId: config.KAFKA_GROUP, topicPrefix: config.KAFKA_TOPIC_PREFIX })
  }
  return startLogConsumer({ ...common, log: deps.stream.memory!, consumer: config.KAFKA_GROUP })
}

/**
 * Batches the simulator's synchronous emits into ordered sends (Kafka wants batches; the in-process
 * log takes them as they come).
 */
export function createEmitter(producer: StreamProducer, onError: (error: unknown) => void) {
  let pending: ProducedMessage[] = []
  let chain: Promise<void> = Promise.resolve()
  const timer = setInterval(() => {
    if (pending.length === 0) {
      return
    }
    const batch = pending
    pending = []
    chain = chain.then(() => producer.send(batch)).catch(onError)
  }, 100)
  return {
    emit: (m: ProducedMessage) => {
      pending.push(m)
    },
    async close(): Promise<void> {
      clearInterval(timer)
      const batch = pending
      pending = []
      await chain.then(() => producer.send(batch)).catch(onError)
    },
  }
}

/**
 * Prometheus /metrics for processes without the API (an ingest worker): same registry, own port. Resolves
 * once it listens; a port already taken (two workers on one host with the same METRICS_PORT) rejects with
 * an error that names the setting, before the worker joins its group.
 */
export async function serveMetrics(port: number, host: string): Promise<{ close(): void }> {
  const server = createServer((request, response) => {
    if (request.url !== '/metrics') {
      response.writeHead(404).end()
      return
    }
    register.metrics().then(
      (text) => response.writeHead(200, { 'content-type': register.contentType }).end(text),
      (error: unknown) => response.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${(error as Error).message}`),
    )
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(new Error(error.code === 'EADDRINUSE'
        ? `METRICS_PORT ${port} is in use on ${host}: give each worker on this host a METRICS_PORT of its own`
        : `METRICS_PORT ${port}: ${error.message}`))
    })
    server.listen(port, host, resolve)
  })
  return { close: () => server.close() }
}
