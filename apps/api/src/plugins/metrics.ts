import fp from 'fastify-plugin'
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client'

/** What the live gauges read when Prometheus scrapes. */
export interface LiveGaugeSources {
  clients: () => number
  rooms: () => number
  isLeading: () => boolean
}

/** Instruments of the live push; plugins/live.ts feeds them. */
export interface LiveMetrics {
  /** Sets what the gauges read (connected clients, rooms, lead) at each scrape. */
  readFrom(sources: LiveGaugeSources): void
  messages: Counter
  bytes: Counter
  /** Updates sent to clients, by kind: `patch` or `whole` (a snapshot: no base to patch, or a catch-up). */
  updates: Counter<'kind'>
  dropped: Counter
  rejected: Counter
  /** Seconds from a flush's committedAt to this node emitting the update it caused. */
  fanoutSeconds: Histogram
  /** Seconds the leader took to compute one round of snapshots (every region due at once). */
  roundSeconds: Histogram
}

declare module 'fastify' {
  interface FastifyInstance {
    metrics: { registry: Registry, live: LiveMetrics }
  }
}

function createLiveMetrics(registry: Registry): LiveMetrics {
  const registers = [registry]
  let sources: LiveGaugeSources = { clients: () => 0, rooms: () => 0, isLeading: () => false }
  const gauge = (name: string, help: string, read: () => number) => new Gauge({
    name, help, registers,
    collect() {
      this.set(read())
    },
  })
  gauge('city_live_connected_clients', 'Socket.io clients connected to this node', () => sources.clients())
  gauge('city_live_rooms', 'Region rooms with at least one client on this node', () => sources.rooms())
  gauge('city_live_publisher_leader', '1 while this node computes and publishes snapshots', () => (sources.isLeading() ? 1 : 0))
  return {
    readFrom(next) {
      sources = next
    },
    messages: new Counter({ name: 'city_live_messages_sent_total', help: 'Socket.io packets written to clients (snapshot, update and failure events, namespace handshakes)', registers }),
    bytes: new Counter({ name: 'city_live_bytes_sent_total', help: 'Bytes of socket.io packets written to clients', registers }),
    updates: new Counter({ name: 'city_live_updates_sent_total', help: 'Updates sent to clients: kind="patch" (the changes from the snapshot the client holds) or kind="whole"', labelNames: ['kind'], registers }),
    dropped: new Counter({ name: 'city_live_updates_dropped_total', help: 'Updates skipped for a client still writing an earlier one (it gets the latest when it drains)', registers }),
    rejected: new Counter({ name: 'city_live_connections_rejected_total', help: 'Connections refused at MAX_CLIENTS_PER_NODE', registers }),
    fanoutSeconds: new Histogram({
      name: 'city_live_fanout_latency_seconds',
      help: 'From the committedAt of the flush behind an update to this node emitting it',
      buckets: [0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 0.75, 1, 1.5, 2.5, 5, 10],
      registers,
    }),
    roundSeconds: new Histogram({
      name: 'city_live_snapshot_round_seconds',
      help: 'On the leading node: time to compute one round of snapshots (the database reads and the merging, for every region due)',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
  }
}

/** Prometheus text at GET /metrics: process defaults (CPU, memory, event loop) and the live push. */
export default fp(async (app) => {
  // A registry per app: several apps (tests, one process per node) never share or double-register.
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  app.decorate('metrics', { registry, live: createLiveMetrics(registry) })
  app.get('/metrics', async (_request, reply) => {
    reply.type(registry.contentType)
    return registry.metrics()
  })
}, { name: 'metrics' })
