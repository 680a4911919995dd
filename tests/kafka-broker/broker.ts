import { createServer, type Server, type Socket } from 'node:net'
import type { BrokerState } from './apis/types.js'
import { serveConnection } from './connection.js'
import { GroupCoordinator } from './group-coordinator.js'
import { ProducerStates } from './producer-state.js'
import type { RecordHeader } from './protocol/record-batch.js'
import { TopicStore } from './topic-store.js'

export interface KafkaBrokerOptions {
  /** 0 picks a free port. @default 0 */
  port?: number
  /** @default '127.0.0.1' */
  host?: string
  /** Partitions of a topic created without a count (auto-created, or CreateTopics with -1). @default 3 */
  defaultPartitions?: number
  /** How often the group coordinator looks for expired sessions and rebalance timeouts. @default 100 */
  sessionTimeoutCheckMs?: number
  /** auto.create.topics.enable. @default true */
  autoCreateTopics?: boolean
}

export interface BrokerRecord {
  offset: number
  timestamp: number
  key: string | null
  value: Buffer | null
  headers: RecordHeader[]
}

export interface KafkaTestBroker {
  readonly port: number
  /** For kafkajs `brokers`, e.g. ['127.0.0.1:9092']. */
  readonly brokers: string[]
  stop(): Promise<void>
  /** Stops listening, drops every connection and listens again on the same port, keeping logs, groups and offsets. */
  restart(options?: { downtimeMs?: number }): Promise<void>
  /** Fault injection: destroys every client socket now. */
  dropConnections(): void
  topics(): { name: string; partitions: number }[]
  records(topic: string, partition: number): BrokerRecord[]
}

const WILDCARD_HOSTS = new Set(['0.0.0.0', '::'])

export async function startKafkaBroker(options: KafkaBrokerOptions = {}): Promise<KafkaTestBroker> {
  const host = options.host ?? '127.0.0.1'
  const state: BrokerState = {
    nodeId: 0,
    clusterId: 'kafka-test-broker',
    advertised: { host: WILDCARD_HOSTS.has(host) ? '127.0.0.1' : host, port: 0 },
    defaultPartitions: options.defaultPartitions ?? 3,
    autoCreateTopics: options.autoCreateTopics ?? true,
    topics: new TopicStore(),
    groups: new GroupCoordinator(options.sessionTimeoutCheckMs ?? 100),
    producers: new ProducerStates(),
  }
  const sockets = new Set<Socket>()
  const server = createServer((socket) => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
    serveConnection(socket, state)
  })
  const dropConnections = () => {
    for (const socket of sockets) {
      socket.destroy()
    }
  }
  const port = await listen(server, options.port ?? 0, host)
  state.advertised.port = port
  state.groups.start()

  return {
    port,
    brokers: [`${state.advertised.host}:${port}`],
    dropConnections,
    async stop() {
      state.groups.stop()
      await close(server, dropConnections)
    },
    async restart({ downtimeMs = 0 } = {}) {
      state.groups.stop()
      await close(server, dropConnections)
      await new Promise((resolve) => setTimeout(resolve, downtimeMs))
      await listen(server, port, host)
      state.groups.reload()
      state.groups.start()
    },
    topics: () => state.topics.names().map((name) => ({ name, partitions: state.topics.partitionCount(name) })),
    records(topic, partition) {
      const log = state.topics.partition(topic, partition)
      if (!log) {
        throw new Error(`no partition ${topic}/${partition}`)
      }
      return log.records().map((record) => ({ ...record, key: record.key?.toString('utf8') ?? null }))
    },
  }
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      const address = server.address()
      resolve(typeof address === 'object' && address ? address.port : port)
    })
  })
}

function close(server: Server, dropConnections: () => void): Promise<void> {
  if (!server.listening) {
    dropConnections()
    return Promise.resolve()
  }
  return new Promise((resolve) => {
    server.close(() => resolve())
    dropConnections()
  })
}
