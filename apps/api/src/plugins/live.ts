import { randomUUID } from 'node:crypto'
import { hostname } from 'node:os'
import fp from 'fastify-plugin'
import { Redis } from 'ioredis'
import { createAdapter } from '@socket.io/redis-adapter'
import { Server, type Socket } from 'socket.io'
import { Compile } from 'typebox/compile'
import { isBaseOf, LIVE_NAMESPACE, SubscribeRequest, type LiveClientEvents, type LiveServerEvents, type RegionSnapshot } from '@city/metrics/wire'
import { redisRetryStrategy } from '@city/platform'
import { isNewer, newest, type LiveStore, type LiveUpdate } from '../live/live-store.js'
import { createMemoryLiveStore } from '../live/memory-live-store.js'
import { createRedisLiveStore } from '../live/redis-live-store.js'
import { createSnapshotCache } from '../live/snapshot-cache.js'
import { startSnapshotPublisher } from '../live/snapshot-publisher.js'
import { loadSnapshot } from '../queries/snapshot.js'

export interface LiveOptions {
  /** Snapshots are published at most once per tick per region; nodes re-register their rooms each tick. @default 1000 */
  tickMs?: number
  /** Every watched region is recomputed at least this often, so staleness shows even when nothing commits. @default 5000 */
  refreshMs?: number
  /**
   * Redis for several API nodes: latest snapshots, the update channel, the publisher's lead and the
   * socket.io adapter. Without it everything stays in this process (embedded).
   */
  redisUrl?: string
  /** Prefix of Redis keys and channels. @default 'city:' */
  redisPrefix?: string
  /** Connections this node accepts; more are refused at the handshake, so clients retry (another node). @default 5000 */
  maxClients?: number
}

interface LiveSocketData {
  /** Regions asked for and not left; a snapshot answered after an unsubscribe is not sent. */
  wants: Set<string>
  /** Regions whose update this socket skipped while still writing an earlier message. */
  missed: Set<string>
  /** The snapshot of each region this socket was last sent (or patched to): a patch goes only to holders of its base. */
  holds: Map<string, RegionSnapshot>
}
type LiveSocket = Socket<LiveClientEvents, LiveServerEvents, Record<string, never>, LiveSocketData>

declare module 'fastify' {
  interface FastifyInstance {
    live: Server<LiveClientEvents, LiveServerEvents, Record<string, never>, LiveSocketData>
  }
}

const isSubscribe = Compile(SubscribeRequest)
const ROOM_PREFIX = 'region:'
const roomOf = (region: string) => `${ROOM_PREFIX}${region}`

/**
 * Socket.io namespace /live, one room per region. A client subscribes to a region and gets its latest
 * snapshot, then every update the publisher (see live/snapshot-publisher.ts) publishes for it, relayed
 * by every node to its local room in the one order the store gives them: as a patch to the sockets that
 * hold the patch's base, whole to the others. A client that is still writing an earlier message skips
 * updates and gets the latest snapshot whole once it drains (drop-to-latest).
 */
export default fp<LiveOptions>(async (app, options) => {
  const { tickMs = 1000, refreshMs = 5000, redisUrl, redisPrefix = 'city:', maxClients = 5000 } = options
  const { db, tree, timeZone, staleAfterMs, now, pubsub } = app.city
  const metrics = app.metrics.live
  const nodeId = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`
  const warn = throttledWarn(app.log, 10_000)

  const redis = redisUrl ? redisAdapter(redisUrl, `${redisPrefix}socket.io`, nodeId, (error) => warn('socket.io adapter', error)) : undefined
  const io = new Server<LiveClientEvents, LiveServerEvents, Record<string, never>, LiveSocketData>(app.server, {
    serveClient: false,
    cors: { origin: true },
    ...(redis ? { adapter: redis.adapter } : {}),
    allowRequest: (_request, accept) => {
      const allowed = io.engine.clientsCount < maxClients
      if (!allowed) {
        metrics.rejected.inc()
      }
      accept(allowed ? null : 'API_TOO_MANY_CLIENTS', allowed)
    },
  })
  const live = io.of(LIVE_NAMESPACE)
  const store: LiveStore = redisUrl
    ? createRedisLiveStore(redisUrl, { nodeId, prefix: redisPrefix, onError: (error) => warn('live store', error) })
    : createMemoryLiveStore(pubsub)
  const compute = (region: string) => loadSnapshot(db, tree, region, { nowMs: now(), timeZone, staleAfterMs })
  // Subscribed to commit notices before the publisher, so a notice has marked the cache when the publisher acts on it.
  const cache = createSnapshotCache({ db, tree, notices: pubsub, timeZone, staleAfterMs, now })
  const stopInvalidate = store.onReconnect(() => cache.invalidate())
  const computeRound = async (regions: string[]) => {
    const done = metrics.roundSeconds.startTimer()
    try {
      return await cache.compute(regions)
    } finally {
      done()
    }
  }
  const publisher = startSnapshotPublisher({ store, notices: pubsub, compute: computeRound, tickMs, refreshMs, onError: (error) => warn('snapshot publisher', error) })

  /** The last relayed snapshot of each region with a local room or a subscription on its way. */
  const relayed = new Map<string, RegionSnapshot>()
  const pending = new Map<string, number>()
  const computing = new Map<string, Promise<RegionSnapshot>>()
  const lagging = new Set<LiveSocket>()
  const watchUntil = () => Date.now() + Math.max(3 * tickMs, 3000)
  const isFresh = (snapshot: RegionSnapshot | null | undefined) => snapshot != null && now() - Date.parse(snapshot.asOf) <= refreshMs + 2 * tickMs

  /** A fresh snapshot: relayed here, else stored, else computed here (once per region at a time). */
  async function snapshotFor(region: string): Promise<RegionSnapshot> {
    const cached = relayed.get(region)
    if (isFresh(cached)) {
      return cached!
    }
    const stored = await store.latest(region).catch(() => null)
    if (isFresh(stored)) {
      return stored!
    }
    let computed = computing.get(region)
    if (!computed) {
      computed = compute(region).finally(() => computing.delete(region))
      computing.set(region, computed)
    }
    return computed
  }

  async function subscribe(socket: LiveSocket, region: string): Promise<void> {
    socket.data.wants.add(region)
    pending.set(region, (pending.get(region) ?? 0) + 1)
    store.watch([region], watchUntil()).catch((error: unknown) => warn('live store', error))
    try {
      const snapshot = await snapshotFor(region)
      if (!socket.connected || !socket.data.wants.has(region)) {
        return
      }
      // Join and answer in one step, with nothing older than what the room was last sent: the client
      // never receives an update before its snapshot, nor a snapshot older than an update it has.
      const latest = newest(snapshot, relayed.get(region))!
      void socket.join(roomOf(region))
      socket.data.missed.delete(region)
      socket.data.holds.set(region, latest)
      socket.emit('snapshot', latest)
    } finally {
      const left = (pending.get(region) ?? 1) - 1
      if (left > 0) {
        pending.set(region, left)
      } else {
        pending.delete(region)
      }
    }
  }

  live.on('connection', (socket) => {
    socket.data = { wants: new Set(), missed: new Set(), holds: new Map() }
    socket.on('subscribe', (request) => {
      if (!isSubscribe.Check(request) || !tree.get(request.region)) {
        socket.emit('failure', { code: 'API_UNKNOWN_REGION', message: `cannot subscribe to ${JSON.stringify(request?.region)}: no such region` })
        return
      }
      subscribe(socket, request.region).catch((error: unknown) => {
        app.log.error({ err: error }, 'snapshot failed')
        socket.emit('failure', { code: 'API_INTERNAL', message: 'snapshot failed; retrying with the next update' })
      })
    })
    socket.on('unsubscribe', (request) => {
      if (isSubscribe.Check(request)) {
        socket.data.wants.delete(request.region)
        socket.data.missed.delete(request.region)
        socket.data.holds.delete(request.region)
        void socket.leave(roomOf(request.region))
      }
    })
    socket.on('disconnect', () => lagging.delete(socket))
  })

  io.engine.on('connection', (conn: { on: (event: 'packetCreate', listener: (packet: { type: string, data?: unknown }) => void) => void }) => {
    conn.on('packetCreate', (packet) => {
      if (packet.type === 'message') {
        metrics.messages.inc()
        metrics.bytes.inc(byteLengthOf(packet.data))
      }
    })
  })

  function relay({ snapshot, patch }: LiveUpdate): void {
    const { region } = snapshot
    const members = live.adapter.rooms.get(roomOf(region))
    if (!members?.size && !pending.has(region)) {
      relayed.delete(region)
      return
    }
    const previous = relayed.get(region)
    if (!isNewer(snapshot, previous)) {
      return
    }
    relayed.set(region, snapshot)
    if (!members?.size) {
      return
    }
    // Sockets still writing an earlier message skip this one; the others get the patch if they hold its
    // base, else the whole snapshot. Each kind is one broadcast, encoded once.
    const skipped: string[] = []
    const patched: string[] = []
    const whole: string[] = []
    for (const id of members) {
      const socket = live.sockets.get(id)
      if (!socket) {
        continue
      }
      if (!socket.conn.transport.writable) {
        skipped.push(id)
        markMissed(socket, region)
        continue
      }
      if (patch && isBaseOf(socket.data.holds.get(region), patch)) {
        patched.push(id)
      } else {
        whole.push(id)
        socket.data.missed.delete(region)
      }
      socket.data.holds.set(region, snapshot)
    }
    const room = roomOf(region)
    if (patched.length > 0) {
      live.local.to(room).except([...skipped, ...whole]).emit('patch', patch!)
      metrics.updates.inc({ kind: 'patch' }, patched.length)
    }
    if (whole.length > 0) {
      live.local.to(room).except([...skipped, ...patched]).emit('update', snapshot)
      metrics.updates.inc({ kind: 'whole' }, whole.length)
    }
    metrics.dropped.inc(skipped.length)
    if (previous && snapshot.version > previous.version && snapshot.committedAt) {
      metrics.fanoutSeconds.observe((Date.now() - Date.parse(snapshot.committedAt)) / 1000)
    }
  }

  function markMissed(socket: LiveSocket, region: string): void {
    socket.data.missed.add(region)
    if (!lagging.has(socket)) {
      lagging.add(socket)
      socket.conn.transport.once('ready', () => catchUp(socket))
    }
  }

  /** Sends a socket that drained the latest snapshot of each region it skipped. */
  function catchUp(socket: LiveSocket): void {
    if (!socket.connected) {
      lagging.delete(socket)
      return
    }
    if (!lagging.has(socket) || !socket.conn.transport.writable) {
      return
    }
    lagging.delete(socket)
    for (const region of socket.data.missed) {
      const latest = relayed.get(region)
      if (latest && socket.rooms.has(roomOf(region))) {
        socket.data.holds.set(region, latest)
        socket.emit('update', latest)
        metrics.updates.inc({ kind: 'whole' })
      }
    }
    socket.data.missed.clear()
  }

  const localRegions = () => [...live.adapter.rooms.keys()].filter((room) => room.startsWith(ROOM_PREFIX)).map((room) => room.slice(ROOM_PREFIX.length))
  metrics.readFrom({ clients: () => live.sockets.size, rooms: () => localRegions().length, isLeading: () => publisher.isLeading() })

  function tick(): void {
    const regions = localRegions()
    store.watch(regions, watchUntil()).catch((error: unknown) => warn('live store', error))
    for (const region of relayed.keys()) {
      if (!live.adapter.rooms.get(roomOf(region))?.size && !pending.has(region)) {
        relayed.delete(region)
      }
    }
    // Sockets whose transport changed (upgrade) never fire the 'ready' waited for.
    lagging.forEach(catchUp)
  }

  const stopRelay = store.onUpdate(relay)
  const timer = setInterval(tick, tickMs)
  app.decorate('live', io)
  app.addHook('onClose', async () => {
    clearInterval(timer)
    stopRelay()
    await publisher.stop()
    stopInvalidate()
    cache.stop()
    await io.close()
    await store.close()
    redis?.close()
  })
}, { name: 'live', dependencies: ['context', 'metrics'] })

/**
 * The socket.io Redis adapter: room broadcasts and cluster-wide queries (fetchSockets, serverSideEmit)
 * reach every node. Updates do not use it (see relay): each node broadcasts them to its local room.
 */
function redisAdapter(url: string, key: string, nodeId: string, onError: (error: Error) => void) {
  const pub = new Redis(url, { retryStrategy: redisRetryStrategy, connectionName: `${nodeId}:adapter` })
  const sub = pub.duplicate()
  pub.on('error', onError)
  sub.on('error', onError)
  return {
    adapter: createAdapter(pub, sub, { key }),
    close() {
      pub.disconnect()
      sub.disconnect()
    },
  }
}

let lastString: string | undefined
let lastBytes = 0
/** A broadcast writes the same encoded string to every socket: measure it once. */
function byteLengthOf(data: unknown): number {
  if (typeof data !== 'string') {
    return Buffer.isBuffer(data) ? data.length : 0
  }
  if (data !== lastString) {
    lastString = data
    lastBytes = Buffer.byteLength(data)
  }
  return lastBytes
}

/** Logs a failing dependency (Redis down, database down) at most once per interval per source. */
function throttledWarn(log: { warn: (o: object, msg: string) => void }, intervalMs: number) {
  const last = new Map<string, number>()
  return (source: string, error: unknown) => {
    if (Date.now() - (last.get(source) ?? -Infinity) >= intervalMs) {
      last.set(source, Date.now())
      log.warn({ err: error }, `${source}: ${error instanceof Error ? error.message : String(error)}`)
    }
  }
}
