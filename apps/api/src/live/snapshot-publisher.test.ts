import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { applySnapshotPatch, type RegionSnapshot } from '@city/metrics/wire'
import { COMMIT_CHANNEL, createMemoryPubSub, type PubSub } from '@city/platform'
import { UPDATE_CHANNEL, type LiveStore, type LiveUpdate } from './live-store.js'
import { createMemoryLiveStore } from './memory-live-store.js'
import { startSnapshotPublisher, type SnapshotPublisher } from './snapshot-publisher.js'

const TICK_MS = 1000
const REFRESH_MS = 5000
const FAR = Number.MAX_SAFE_INTEGER

function makeSnapshot(region: string, version: number): RegionSnapshot {
  return { region, version, asOf: new Date().toISOString(), committedAt: null, eventTime: null, stale: false, values: {}, children: [], trend: {}, cases: [] }
}

let pubsub: PubSub
let store: LiveStore
let computed: string[]
let published: RegionSnapshot[]
let updates: LiveUpdate[]
let publisher: SnapshotPublisher | undefined
let version: number

function start(overrides: { store?: LiveStore, compute?: (regions: string[]) => Promise<RegionSnapshot[]> } = {}) {
  publisher = startSnapshotPublisher({
    store: overrides.store ?? store,
    notices: pubsub,
    compute: overrides.compute ?? (async (regions) => {
      computed.push(...regions)
      return regions.map((region) => makeSnapshot(region, version))
    }),
    tickMs: TICK_MS,
    refreshMs: REFRESH_MS,
    onError: () => undefined,
  })
  return publisher
}

const commit = (...regions: string[]) => pubsub.publish(COMMIT_CHANNEL, { version: ++version, committedAt: new Date().toISOString(), regions })

beforeEach(() => {
  vi.useFakeTimers()
  pubsub = createMemoryPubSub()
  store = createMemoryLiveStore(pubsub)
  computed = []
  published = []
  updates = []
  version = 1
  pubsub.subscribe(UPDATE_CHANNEL, (m) => {
    updates.push(m as LiveUpdate)
    published.push((m as LiveUpdate).snapshot)
  })
})

afterEach(async () => {
  await publisher?.stop()
  publisher = undefined
  vi.useRealTimers()
})

describe('startSnapshotPublisher', () => {
  it('publishes every watched region when it takes the lead', async () => {
    await store.watch(['city', 'district'], FAR)
    start()
    await vi.advanceTimersByTimeAsync(10)
    expect(computed.sort()).toEqual(['city', 'district'])
    expect(published.map((s) => s.region).sort()).toEqual(['city', 'district'])
  })

  it('recomputes only watched regions a commit changed, at once', async () => {
    await store.watch(['city', 'district'], FAR)
    start()
    await vi.advanceTimersByTimeAsync(TICK_MS)
    computed = []
    await commit('district', 'street-not-watched')
    await vi.advanceTimersByTimeAsync(1)
    expect(computed).toEqual(['district'])
  })

  it('coalesces the commits within a tick into one computation per region', async () => {
    await store.watch(['city'], FAR)
    start()
    await vi.advanceTimersByTimeAsync(TICK_MS)
    computed = []
    for (let i = 0; i < 30; i++) {
      await commit('city')
      await vi.advanceTimersByTimeAsync(100)
    }
    // 3 s of commits every 100 ms: one run per tick, the first one immediately.
    expect(computed.length).toBeGreaterThanOrEqual(3)
    expect(computed.length).toBeLessThanOrEqual(4)
  })

  it('throttles each region on its own: a commit right after another region was published goes out at once', async () => {
    await store.watch(['city', 'district'], FAR)
    start()
    await vi.advanceTimersByTimeAsync(TICK_MS)
    computed = []
    await commit('city')
    await vi.advanceTimersByTimeAsync(100)
    await commit('district')
    await vi.advanceTimersByTimeAsync(1)
    expect(computed).toEqual(['city', 'district'])
    // city again 300 ms after it was published: it waits for the rest of its tick (less 10%), no longer.
    await vi.advanceTimersByTimeAsync(199)
    await commit('city')
    await vi.advanceTimersByTimeAsync(590)
    expect(computed).toEqual(['city', 'district'])
    await vi.advanceTimersByTimeAsync(20)
    expect(computed).toEqual(['city', 'district', 'city'])
  })

  it('republishes every watched region each refresh interval, even without commits', async () => {
    await store.watch(['city'], FAR)
    start()
    await vi.advanceTimersByTimeAsync(TICK_MS)
    computed = []
    await vi.advanceTimersByTimeAsync(2 * REFRESH_MS + 10)
    expect(computed).toEqual(['city', 'city'])
  })

  it('publishes a region as soon as someone starts watching it', async () => {
    start()
    await vi.advanceTimersByTimeAsync(TICK_MS)
    await store.watch(['street'], FAR)
    await vi.advanceTimersByTimeAsync(TICK_MS + 10)
    expect(computed).toEqual(['street'])
  })

  it('computes nothing while another node leads', async () => {
    const follower: LiveStore = { ...store, lead: async () => 'lost' }
    await store.watch(['city'], FAR)
    start({ store: follower })
    await commit('city')
    await vi.advanceTimersByTimeAsync(3 * TICK_MS)
    expect(computed).toEqual([])
    expect(publisher!.isLeading()).toBe(false)
  })

  it('stops publishing when the store fences it off (lead lost mid-run)', async () => {
    let lead: 'kept' | 'lost' = 'kept'
    const fenced: LiveStore = { ...store, lead: async () => lead, publish: async () => 'fenced' }
    await store.watch(['a', 'b', 'c', 'd', 'e', 'f'], FAR)
    start({ store: fenced })
    await vi.advanceTimersByTimeAsync(10)
    expect(publisher!.isLeading()).toBe(false)
    // One computation for all six; the fenced publish ends the lead, so nothing more is computed.
    expect(computed).toHaveLength(6)
    computed = []
    await commit('a')
    await vi.advanceTimersByTimeAsync(TICK_MS / 2)
    expect(computed).toEqual([])
    lead = 'lost'
    computed = []
    await vi.advanceTimersByTimeAsync(3 * TICK_MS)
    expect(computed).toEqual([])
  })

  it('retries a region whose computation failed on the next run', async () => {
    let failures = 1
    await store.watch(['city'], FAR)
    start({
      compute: async (regions) => {
        computed.push(...regions)
        if (failures-- > 0) {
          throw new Error('database away')
        }
        return regions.map((region) => makeSnapshot(region, version))
      },
    })
    await vi.advanceTimersByTimeAsync(TICK_MS + 10)
    expect(computed).toEqual(['city', 'city'])
    expect(published).toHaveLength(1)
  })

  it('never publishes a snapshot older than the one stored', async () => {
    await store.watch(['city'], FAR)
    version = 5
    start()
    await vi.advanceTimersByTimeAsync(10)
    version = 4
    await store.publish({ snapshot: makeSnapshot('city', 4), patch: null })
    await vi.advanceTimersByTimeAsync(REFRESH_MS)
    expect(published.map((s) => s.version)).toEqual([5])
  })

  it('sends each publication of a region after its first with the patch from the one before', async () => {
    await store.watch(['city'], FAR)
    start()
    await vi.advanceTimersByTimeAsync(10)
    await commit('city')
    await vi.advanceTimersByTimeAsync(TICK_MS + 10)
    await commit('city')
    await vi.advanceTimersByTimeAsync(TICK_MS + 10)
    expect(updates.map((u) => u.snapshot.version)).toEqual([1, 2, 3])
    expect(updates[0]!.patch).toBeNull()
    for (let i = 1; i < updates.length; i++) {
      expect(applySnapshotPatch(updates[i - 1]!.snapshot, updates[i]!.patch!)).toEqual(updates[i]!.snapshot)
    }
  })
})
