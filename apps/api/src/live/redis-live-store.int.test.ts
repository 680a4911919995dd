import { randomBytes } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { applySnapshotPatch, diffSnapshots, type RegionSnapshot } from '@city/metrics/wire'
import type { LiveStore, LiveUpdate } from './live-store.js'
import { createRedisLiveStore } from './redis-live-store.js'

/** The machine's Redis; every test gets its own key prefix, so runs never cross. */
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'
const opened: LiveStore[] = []

function openPair(leaseMs = 3000): [LiveStore, LiveStore] {
  const prefix = `test:${randomBytes(4).toString('hex')}:`
  const stores = ['node-a', 'node-b'].map((nodeId) => createRedisLiveStore(REDIS_URL, { nodeId, prefix, leaseMs })) as [LiveStore, LiveStore]
  opened.push(...stores)
  return stores
}

function makeSnapshot(region: string, version: number, asOfMs = 1_700_000_000_000): RegionSnapshot {
  return { region, version, asOf: new Date(asOfMs).toISOString(), committedAt: null, eventTime: null, stale: false, values: { x: { current: version, today: null } }, children: [], trend: {}, cases: [] }
}

/** Waits until the update subscription delivers: SUBSCRIBE is asynchronous. */
const whole = (snapshot: RegionSnapshot): LiveUpdate => ({ snapshot, patch: null })

async function subscribed(got: LiveUpdate[], probe: LiveStore) {
  let version = 0
  while (got.length === 0) {
    await probe.publish(whole(makeSnapshot('probe', ++version)))
    await new Promise((r) => setTimeout(r, 20))
  }
  got.length = 0
}

afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()))
})

describe('createRedisLiveStore', () => {
  it('lets one node lead; the other takes over when the lease runs out', async () => {
    const [a, b] = openPair(300)
    expect(await a.lead()).toBe('acquired')
    expect(await b.lead()).toBe('lost')
    expect(await a.lead()).toBe('kept')
    await new Promise((r) => setTimeout(r, 400))
    expect(await b.lead()).toBe('acquired')
    expect(await a.lead()).toBe('lost')
  })

  it('hands the lead over at once when the leader closes', async () => {
    const [a, b] = openPair()
    expect(await a.lead()).toBe('acquired')
    await a.close()
    expect(await b.lead()).toBe('acquired')
  })

  it('publishes only newer snapshots, only from the leader, and relays them in order', async () => {
    const [a, b] = openPair()
    await a.lead()
    const got: LiveUpdate[] = []
    b.onUpdate((s) => got.push(s))
    await subscribed(got, a)
    expect(await a.publish(whole(makeSnapshot('city', 3)))).toBe('published')
    expect(await a.publish(whole(makeSnapshot('city', 2)))).toBe('older')
    expect(await a.publish(whole(makeSnapshot('city', 3)))).toBe('older')
    expect(await a.publish(whole(makeSnapshot('city', 3, 1_700_000_001_000)))).toBe('published')
    expect(await b.publish(whole(makeSnapshot('city', 9)))).toBe('fenced')
    const patch = diffSnapshots(makeSnapshot('city', 3, 1_700_000_001_000), makeSnapshot('city', 4))
    expect(await a.publish({ snapshot: makeSnapshot('city', 4), patch })).toBe('published')
    await new Promise((r) => setTimeout(r, 100))
    expect(got.map(({ snapshot: s }) => [s.version, s.asOf])).toEqual([
      [3, '2023-11-14T22:13:20.000Z'], [3, '2023-11-14T22:13:21.000Z'], [4, '2023-11-14T22:13:20.000Z'],
    ])
    expect(got[2]).toEqual({ snapshot: makeSnapshot('city', 4), patch })
    expect(applySnapshotPatch(got[1]!.snapshot, got[2]!.patch!)).toEqual(makeSnapshot('city', 4))
    expect(await b.latest('city')).toEqual(makeSnapshot('city', 4))
    expect(await b.latest('nowhere')).toBeNull()
  })

  it('keeps a region watched until the latest expiry any node gave it', async () => {
    const [a, b] = openPair()
    await a.watch(['city', 'district'], 2000)
    await b.watch(['city'], 5000)
    await b.watch(['district'], 1000)
    expect((await a.watched(1500)).sort()).toEqual(['city', 'district'])
    expect(await a.watched(3000)).toEqual(['city'])
    expect(await b.watched(6000)).toEqual([])
  })
})
