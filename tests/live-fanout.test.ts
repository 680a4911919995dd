import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { io, type Socket } from 'socket.io-client'
import { Redis } from 'ioredis'
import { applySnapshotPatch, type LiveClientEvents, type LiveServerEvents, type RegionSnapshot } from '@city/metrics/wire'
import { tree } from './support/embedded.js'
import { startBalancer, startRedis, startRole, type LauncherProcess } from './support/cluster.js'
import { openTestStore, type TestStore } from './support/stores.js'

/**
 * Several API nodes on real Redis and PostgreSQL, as separate processes: `pnpm start` with ROLES=api
 * twice and ROLES=simulator,ingest once. Clients on different nodes must see the same updates; Redis
 * restarts, a killed node and a dropped network must cost a client no more than RECOVERY_MS.
 */
const RECOVERY_MS = 5000
const city = tree.root.id
const district = tree.root.children[0]!

/** An `update` is a whole snapshot or one rebuilt from a patch (`patched`). */
interface Received { kind: 'snapshot' | 'update', snapshot: RegionSnapshot, at: number, patched?: boolean }

/**
 * A socket.io client like the cockpit's: reconnects by itself, asks for its region again on every connect
 * and applies patches to the snapshot it holds. A patch of any other snapshot is a server bug: recorded.
 */
function watch(port: number, region: string) {
  const socket: Socket<LiveServerEvents, LiveClientEvents> = io(`http://127.0.0.1:${port}/live`, {
    transports: ['websocket'], reconnectionDelay: 1000, reconnectionDelayMax: 4000, randomizationFactor: 0.5,
  })
  const received: Received[] = []
  const disconnects: number[] = []
  socket.on('connect', () => socket.emit('subscribe', { region }))
  const misfits: string[] = []
  let held: RegionSnapshot | undefined
  socket.on('disconnect', () => {
    disconnects.push(Date.now())
    held = undefined
  })
  socket.on('snapshot', (snapshot) => received.push({ kind: 'snapshot', snapshot: held = snapshot, at: Date.now() }))
  socket.on('update', (snapshot) => received.push({ kind: 'update', snapshot: held = snapshot, at: Date.now() }))
  socket.on('patch', (patch) => {
    const next = held && applySnapshotPatch(held, patch)
    if (next) {
      received.push({ kind: 'update', snapshot: held = next, at: Date.now(), patched: true })
    } else {
      misfits.push(`patch of ${patch.base.version}@${patch.base.asOf} to ${held ? keyOf(held) : 'nothing'}`)
    }
  })
  const after = (t: number) => received.filter((r) => r.at >= t)
  return {
    socket, received, after, disconnects, misfits,
    updatesAfter: (t: number) => after(t).filter((r) => r.kind === 'update').map((r) => r.snapshot),
    /** Resolves with the first event at or after t that matches. */
    async next(t: number, match: (r: Received) => boolean, timeoutMs = 15_000): Promise<Received> {
      const start = Date.now()
      for (;;) {
        const found = after(t).find(match)
        if (found) {
          return found
        }
        if (Date.now() - start > timeoutMs) {
          throw new Error(`no matching event for ${region} within ${timeoutMs} ms; got ${received.length} events`)
        }
        await new Promise((r) => setTimeout(r, 25))
      }
    },
  }
}
type Watcher = ReturnType<typeof watch>

const keyOf = (s: RegionSnapshot) => `${s.version}@${s.asOf}`
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** The stretch of two update sequences both clients were subscribed for; it must be the same. */
function commonStretch(a: RegionSnapshot[], b: RegionSnapshot[]): [string[], string[]] {
  const ka = a.map(keyOf)
  const kb = b.map(keyOf)
  const start = ka.findIndex((k) => kb.includes(k))
  if (start < 0) {
    return [ka, kb]
  }
  const sa = ka.slice(start)
  const sb = kb.slice(kb.indexOf(sa[0]!))
  const n = Math.min(sa.length, sb.length)
  return [sa.slice(0, n), sb.slice(0, n)]
}

function expectNeverBackwards(watcher: Watcher) {
  expect(watcher.misfits).toEqual([])
  const versions = watcher.received.filter((r) => r.kind === 'update').map((r) => r.snapshot.version)
  expect(versions).toEqual([...versions].sort((x, y) => x - y))
}

async function storedSnapshot(region: string): Promise<RegionSnapshot> {
  const client = new Redis(redis.url)
  try {
    return JSON.parse(await client.hget(`city:snapshot:${region}`, 'json') ?? 'null') as RegionSnapshot
  } finally {
    client.disconnect()
  }
}

async function metricOf(node: LauncherProcess, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${node.port}/metrics`)).text()
  return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1])
}

let store: TestStore
let redis: Awaited<ReturnType<typeof startRedis>>
let ingest: LauncherProcess
let nodes: LauncherProcess[] = []
let balancer: Awaited<ReturnType<typeof startBalancer>>
const watchers: Watcher[] = []

beforeAll(async () => {
  store = await openTestStore('postgres')
  redis = await startRedis()
  const shared = { DATABASE_URL: store.url!, REDIS_URL: redis.url, DATABASE_POOL_SIZE: '4' }
  nodes = await Promise.all([1, 2].map(() => startRole({ ...shared, ROLES: 'api' })))
  ingest = await startRole({ ...shared, ROLES: 'simulator,ingest', SIM_BACKFILL_MINUTES: '5', SIM_REPORT_INTERVAL_S: '5' })
  balancer = await startBalancer(nodes.map((n) => n.port))
})

afterAll(async () => {
  watchers.forEach((w) => w.socket.close())
  await balancer?.close()
  await Promise.all([...nodes, ingest].filter(Boolean).map((p) => p.kill()))
  await redis?.kill()
  await store?.drop()
})

describe('live fan-out across API node processes', () => {
  it('sends clients on both nodes the same snapshots in the same order, each with its freshness, mostly as patches', async () => {
    const [a, b] = nodes as [LauncherProcess, LauncherProcess]
    const onA = [watch(a.port, city), watch(a.port, district)]
    const onB = [watch(b.port, city), watch(b.port, district)]
    watchers.push(...onA, ...onB)
    const t0 = Date.now()
    await Promise.all([...onA, ...onB].map((w) => w.next(t0, (r) => r.kind === 'snapshot')))
    await sleep(8000)
    for (const [x, y] of [[onA[0]!, onB[0]!], [onA[1]!, onB[1]!]] as const) {
      const [seqA, seqB] = commonStretch(x.updatesAfter(t0), y.updatesAfter(t0))
      expect(seqA.length).toBeGreaterThanOrEqual(4)
      expect(seqA).toEqual(seqB)
      expectNeverBackwards(x)
      expectNeverBackwards(y)
      // Rebuilt from patches or sent whole, the same versions hold the same numbers on both nodes.
      const byKey = new Map(y.updatesAfter(t0).map((s) => [keyOf(s), s]))
      for (const key of seqA) {
        expect(x.updatesAfter(t0).find((s) => keyOf(s) === key)).toEqual(byKey.get(key))
      }
      expect(x.after(t0).filter((r) => r.patched).length).toBeGreaterThanOrEqual(seqA.length - 1)
      // And what the client rebuilt is, field for field, the whole snapshot the publisher stored.
      const stored = await storedSnapshot(x.updatesAfter(t0).at(-1)!.region)
      const rebuilt = await x.next(t0, (r) => keyOf(r.snapshot) === keyOf(stored))
      expect(rebuilt.patched).toBe(true)
      expect(rebuilt.snapshot).toEqual(stored)
      const last = x.updatesAfter(t0).at(-1)!
      expect(last.committedAt).not.toBeNull()
      expect(last.eventTime).not.toBeNull()
      expect(last.stale).toBe(false)
    }
    // Exactly one node computes; the other only relays.
    expect(await metricOf(a, 'city_live_publisher_leader') + await metricOf(b, 'city_live_publisher_leader')).toBe(1)
  })

  it('keeps clients connected through a Redis restart and brings fresh updates within seconds of its return', async () => {
    const [onA, onB] = [watchers[0]!, watchers[2]!]
    await redis.kill()
    await sleep(2000)
    await redis.start()
    const back = Date.now()
    for (const w of [onA, onB]) {
      const fresh = await w.next(back, (r) => r.kind === 'update' && Date.parse(r.snapshot.asOf) >= back)
      expect(fresh.at - back).toBeLessThan(RECOVERY_MS)
    }
    expect(ingest.child.exitCode).toBeNull()
    expect([...onA.disconnects, ...onB.disconnects]).toEqual([])
    await sleep(4000)
    const [seqA, seqB] = commonStretch(onA.updatesAfter(back), onB.updatesAfter(back))
    expect(seqA.length).toBeGreaterThanOrEqual(3)
    expect(seqA).toEqual(seqB)
    expectNeverBackwards(onA)
    expectNeverBackwards(onB)
    // Commits after the restart reached the new leader through Redis again.
    expect(onA.updatesAfter(back).at(-1)!.version).toBeGreaterThan(onA.updatesAfter(0).filter((s) => Date.parse(s.asOf) < back).at(-1)?.version ?? 0)
  })

  it('gives a client whose network dropped a fresh snapshot within seconds of the network coming back', async () => {
    const behind = [watch(balancer.port, city), watch(balancer.port, district)]
    watchers.push(...behind)
    await Promise.all(behind.map((w) => w.next(0, (r) => r.kind === 'snapshot')))
    balancer.cut(3000)
    const back = Date.now() + 3000
    for (const w of behind) {
      const snapshot = await w.next(back, (r) => r.kind === 'snapshot')
      expect(snapshot.at - back).toBeLessThan(RECOVERY_MS)
      expect(back - Date.parse(snapshot.snapshot.asOf)).toBeLessThan(7000)
      await w.next(snapshot.at, (r) => r.kind === 'update' && r.snapshot.version >= snapshot.snapshot.version)
    }
  })

  it('moves the clients of a killed node to the other one with a fresh snapshot, and the other node takes over publishing', async () => {
    const behind = [watch(balancer.port, city), watch(balancer.port, city), watch(balancer.port, district), watch(balancer.port, district)]
    watchers.push(...behind)
    await Promise.all(behind.map((w) => w.next(0, (r) => r.kind === 'snapshot')))
    const leaders = await Promise.all(nodes.map((n) => metricOf(n, 'city_live_publisher_leader')))
    const victim = nodes[leaders.indexOf(1)]!
    const survivor = nodes.find((n) => n !== victim)!
    const killedAt = Date.now()
    await victim.kill('SIGKILL')
    nodes = [survivor]
    await sleep(500)
    const moved = behind.filter((w) => w.disconnects.some((t) => t >= killedAt))
    // The balancer spread the four clients over both nodes.
    expect(moved.length).toBeGreaterThanOrEqual(1)
    expect(moved.length).toBeLessThan(behind.length)
    for (const w of moved) {
      const snapshot = await w.next(killedAt, (r) => r.kind === 'snapshot')
      expect(snapshot.at - killedAt).toBeLessThan(RECOVERY_MS)
      expect(killedAt - Date.parse(snapshot.snapshot.asOf)).toBeLessThan(7000)
    }
    // The lead (a 3 s lease) passes to the survivor; every client gets new updates again.
    for (const w of behind) {
      await w.next(killedAt, (r) => r.kind === 'update' && Date.parse(r.snapshot.asOf) > killedAt)
    }
    expect(await metricOf(survivor, 'city_live_publisher_leader')).toBe(1)
    expect(await metricOf(survivor, 'city_live_connected_clients')).toBeGreaterThanOrEqual(behind.length)
    behind.forEach(expectNeverBackwards)
  })
})
