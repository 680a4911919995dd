import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { io, type Socket } from 'socket.io-client'
import { loadDemoCity } from '@city/demo-city'
import { loadRegionTree } from '@city/metrics'
import { applySnapshotPatch, diffSnapshots, type LiveClientEvents, type LiveServerEvents, type RegionSnapshot } from '@city/metrics/wire'
import { createMemoryPubSub, migrate, openPgliteDb, type Db } from '@city/platform'
import { buildApp } from '../app.js'
import { UPDATE_CHANNEL } from '../live/live-store.js'

type Client = Socket<LiveServerEvents, LiveClientEvents>
type App = Awaited<ReturnType<typeof buildApp>>

const tree = loadRegionTree(loadDemoCity().regions)
const city = tree.root.id
const pubsub = createMemoryPubSub()
let db: Db
let app: App
let port: number
const clients: Client[] = []

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

beforeAll(async () => {
  db = await openPgliteDb('memory://')
  await migrate(db)
  app = await buildApp({ context: { db, pubsub, tree, timeZone: 'Asia/Shanghai', staleAfterMs: 180_000, now: Date.now }, live: { tickMs: 50, maxClients: 4 } })
  await app.listen({ port: 0, host: '127.0.0.1' })
  port = (app.server.address() as { port: number }).port
})

afterAll(async () => {
  clients.forEach((c) => c.close())
  await app.close()
  await db.close()
})

function connect(): Client {
  const client: Client = io(`http://127.0.0.1:${port}/live`, { transports: ['websocket'], reconnection: false })
  clients.push(client)
  return client
}

let version = 1_000
/**
 * Connects, subscribes to a region and records the synthetic updates that arrive (not the publisher's
 * own): whole or patched onto the snapshot it holds; a patch of anything else is recorded as a misfit.
 */
async function subscriber(region = city) {
  const client = connect()
  const versions: number[] = []
  const kinds: Array<'update' | 'patch'> = []
  const misfits: number[] = []
  let held: RegionSnapshot | undefined
  const receive = (s: RegionSnapshot, kind: 'update' | 'patch') => {
    held = s
    if (s.version > 1_000) {
      versions.push(s.version)
      kinds.push(kind)
    }
  }
  client.on('update', (s) => receive(s, 'update'))
  client.on('patch', (patch) => {
    const next = held && applySnapshotPatch(held, patch)
    if (next) {
      receive(next, 'patch')
    } else {
      misfits.push(patch.version)
    }
  })
  const snapshot = await new Promise<RegionSnapshot>((resolve) => {
    client.once('snapshot', resolve)
    client.emit('subscribe', { region })
  })
  held = snapshot
  return { client, snapshot, versions, kinds, misfits, held: () => held }
}

/**
 * A published snapshot as the publisher would send it, padded to about padBytes; with `patchFrom`, the
 * update carries the patch from that snapshot.
 */
function publishSynthetic(padBytes = 0, patchFrom?: RegionSnapshot): RegionSnapshot {
  const now = new Date().toISOString()
  const snapshot: RegionSnapshot = {
    region: city, version: ++version, asOf: now, committedAt: now, eventTime: now, stale: false,
    values: { x: { current: version, today: null } }, children: [], trend: { pad: padBytes ? [[0, 0], [1, `${version}${'x'.repeat(padBytes)}` as unknown as number]] : [] }, cases: [],
  }
  void pubsub.publish(UPDATE_CHANNEL, { snapshot, patch: patchFrom ? diffSnapshots(patchFrom, snapshot) : null })
  return snapshot
}

const until = async (check: () => boolean, timeoutMs = 5000) => {
  const start = Date.now()
  while (!check()) {
    if (Date.now() - start > timeoutMs) {
      throw new Error('timed out')
    }
    await new Promise((r) => setTimeout(r, 10))
  }
}

const serverSocketOf = (client: Client) => app.live.of('/live').sockets.get(client.id!)!

describe('live push on one node', () => {
  it('relays published snapshots to the room in order, and answers a repeated subscribe with the newest', async () => {
    const { client, versions } = await subscriber()
    const sent: RegionSnapshot[] = []
    // The publisher sends a region at most once per tick; each update is on the wire before the next.
    for (let i = 0; i < 3; i++) {
      sent.push(publishSynthetic())
      await until(() => versions.length === sent.length)
    }
    expect(versions).toEqual(sent.map((s) => s.version))
    const again = await new Promise<RegionSnapshot>((resolve) => {
      client.once('snapshot', resolve)
      client.emit('subscribe', { region: city })
    })
    expect(again.version).toBe(sent[2]!.version)
    client.close()
  })

  it('sends a patch to the sockets holding its base and the whole snapshot to the others', async () => {
    const early = await subscriber()
    const first = publishSynthetic()
    await until(() => early.versions.at(-1) === first.version)
    const late = await subscriber()
    expect(late.snapshot).toEqual(first)
    const second = publishSynthetic(0, first)
    await until(() => early.versions.at(-1) === second.version && late.versions.at(-1) === second.version)
    expect([early.kinds.at(-1), late.kinds.at(-1)]).toEqual(['patch', 'patch'])
    // A patch of a snapshot the room never had (another leader's, say) is not sent: the snapshot is.
    const third = publishSynthetic(0, first)
    await until(() => early.versions.at(-1) === third.version && late.versions.at(-1) === third.version)
    expect([early.kinds.at(-1), late.kinds.at(-1)]).toEqual(['update', 'update'])
    expect([early.held(), late.held()]).toEqual([third, third])
    expect([...early.misfits, ...late.misfits]).toEqual([])
    early.client.close()
    late.client.close()
  })

  it('lets a client that stops reading skip updates instead of queueing them, then sends it the latest', async () => {
    const fast = await subscriber()
    const slow = await subscriber()
    const wire = (slow.client.io.engine.transport as unknown as { ws: { _socket: { pause(): void, resume(): void } } }).ws._socket
    wire.pause()
    const conn = serverSocketOf(slow.client).conn as unknown as { writeBuffer: unknown[], transport: { socket: { _socket: { writableLength: number } } } }
    const payloadBytes = 200_000
    gc()
    const heapBefore = process.memoryUsage().heapUsed
    let last: RegionSnapshot | undefined
    let maxQueuedBytes = 0
    // 300 updates of 200 kB (patches as large): 60 MB for a client that reads nothing; the kernel's socket buffers hold a few MB.
    for (let i = 0; i < 300; i++) {
      last = publishSynthetic(payloadBytes, last)
      await new Promise((r) => setTimeout(r, 2))
      maxQueuedBytes = Math.max(maxQueuedBytes, conn.transport.socket._socket.writableLength)
    }
    await until(() => fast.versions.at(-1) === last!.version)
    gc()
    const heapGrowth = process.memoryUsage().heapUsed - heapBefore
    expect(maxQueuedBytes).toBeLessThan(3 * payloadBytes)
    expect(conn.writeBuffer.length).toBeLessThanOrEqual(2)
    expect(heapGrowth).toBeLessThan(30_000_000)
    expect(fast.versions).toEqual([...fast.versions].sort((a, b) => a - b))

    wire.resume()
    await until(() => slow.versions.at(-1) === last!.version)
    expect(slow.versions.length).toBeLessThan(150)
    // What it skipped it got whole; no patch ever reached it for a snapshot it did not hold.
    expect(slow.held()).toEqual(last)
    expect([...slow.misfits, ...fast.misfits]).toEqual([])
    expect(fast.kinds.filter((k) => k === 'patch').length).toBeGreaterThan(250)
    const metrics = (await app.inject('/metrics')).body
    expect(Number(/city_live_updates_dropped_total (\d+)/.exec(metrics)?.[1])).toBeGreaterThan(100)
    fast.client.close()
    slow.client.close()
  })

  it('refuses connections beyond its limit at the handshake', async () => {
    await until(() => app.live.engine.clientsCount === 0)
    const accepted = await Promise.all(Array.from({ length: 4 }, () => subscriber()))
    const refused = connect()
    const error = await new Promise<Error>((resolve) => refused.once('connect_error', resolve))
    expect(error.message).toBe('websocket error')
    accepted[0]!.client.close()
    await until(() => app.live.engine.clientsCount === 3)
    const next = await subscriber()
    expect(next.snapshot.region).toBe(city)
    accepted.slice(1).forEach((s) => s.client.close())
    next.client.close()
  })

  it('reports clients, rooms, messages, bytes and fan-out latency at /metrics', async () => {
    await until(() => app.live.engine.clientsCount === 0)
    const { versions } = await subscriber()
    publishSynthetic()
    await until(() => versions.length === 1)
    publishSynthetic()
    await until(() => versions.length === 2)
    await new Promise((r) => setTimeout(r, 120))
    const res = await app.inject('/metrics')
    expect(res.headers['content-type']).toContain('text/plain')
    const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(res.body)?.[1])
    expect(value('city_live_connected_clients')).toBe(1)
    expect(value('city_live_rooms')).toBe(1)
    expect(value('city_live_publisher_leader')).toBe(1)
    expect(value('city_live_messages_sent_total')).toBeGreaterThan(3)
    expect(value('city_live_bytes_sent_total')).toBeGreaterThan(1000)
    expect(value('city_live_connections_rejected_total')).toBeGreaterThanOrEqual(1)
    expect(value('city_live_fanout_latency_seconds_count')).toBeGreaterThanOrEqual(1)
    expect(res.body).toContain('process_resident_memory_bytes')
  })
})
