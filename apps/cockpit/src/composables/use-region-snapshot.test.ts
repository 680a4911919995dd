import type { RegionSnapshot } from '@city/metrics/wire'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { effectScope, nextTick, readonly, ref, type EffectScope } from 'vue'
import { makeSnapshot } from '@/__fixtures__/snapshot'
import type { Live, LiveStatus, LiveSubscription } from '@/api/live'
import { useRegionSnapshot } from './use-region-snapshot'

function createFakeLive() {
  const status = ref<LiveStatus>('connected')
  const subscriptions = new Set<LiveSubscription>()
  const live: Live = {
    status: readonly(status),
    error: readonly(ref(null)),
    attempts: readonly(ref(0)),
    subscribe: (subscription) => {
      subscriptions.add(subscription)
      return () => subscriptions.delete(subscription)
    },
  }
  const emit = (kind: 'onSnapshot' | 'onUpdate', snapshot: RegionSnapshot) => {
    subscriptions.forEach((s) => s.region === snapshot.region && s[kind](snapshot))
  }
  return { live, status, subscriptions, emit }
}

describe('useRegionSnapshot', () => {
  const scopes: EffectScope[] = []
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    scopes.splice(0).forEach((scope) => scope.stop())
    vi.useRealTimers()
  })

  function setup(region = ref('demo-city')) {
    const fake = createFakeLive()
    const scope = effectScope()
    scopes.push(scope)
    const result = scope.run(() => useRegionSnapshot(region, { live: fake.live, silentAfterMs: 60_000 }))!
    return { ...fake, scope, result, region }
  }

  it('is syncing until the first snapshot, then live', () => {
    const { result, emit } = setup()
    expect(result.status.value).toBe('syncing')
    emit('onSnapshot', makeSnapshot({ version: 5 }))
    expect(result.status.value).toBe('live')
    expect(result.snapshot.value?.version).toBe(5)
  })

  it('takes an update as the answer when the snapshot never came', () => {
    const { result, emit } = setup()
    emit('onUpdate', makeSnapshot({ version: 5 }))
    expect(result.status.value).toBe('live')
  })

  it('ignores an update older than what is shown', () => {
    const { result, emit } = setup()
    emit('onSnapshot', makeSnapshot({ version: 5 }))
    emit('onUpdate', makeSnapshot({ version: 7 }))
    emit('onUpdate', makeSnapshot({ version: 6 }))
    expect(result.snapshot.value?.version).toBe(7)
  })

  it('shows delayed when the server flags the data stale', () => {
    const { result, emit } = setup()
    emit('onSnapshot', makeSnapshot({ stale: true }))
    expect(result.status.value).toBe('delayed')
  })

  it('shows delayed when nothing arrives for too long', async () => {
    const { result, emit } = setup()
    emit('onSnapshot', makeSnapshot())
    await vi.advanceTimersByTimeAsync(61_000)
    expect(result.status.value).toBe('delayed')
  })

  it('shows offline while disconnected and is not live again until a fresh snapshot comes', () => {
    const { result, emit, status, subscriptions } = setup()
    emit('onSnapshot', makeSnapshot({ version: 5 }))
    status.value = 'reconnecting'
    expect(result.status.value).toBe('offline')
    status.value = 'connected'
    subscriptions.forEach((s) => s.onResubscribe?.())
    expect(result.status.value).toBe('syncing')
    emit('onSnapshot', makeSnapshot({ version: 2 }))
    expect(result.status.value).toBe('live')
    expect(result.snapshot.value?.version).toBe(2)
  })

  it('drops the old region and subscribes to the new one', async () => {
    const { result, emit, region, subscriptions } = setup()
    emit('onSnapshot', makeSnapshot())
    region.value = 'east'
    await nextTick()
    expect(result.snapshot.value).toBeNull()
    expect([...subscriptions].map((s) => s.region)).toEqual(['east'])
    emit('onUpdate', makeSnapshot({ region: 'demo-city', version: 99 }))
    expect(result.snapshot.value).toBeNull()
  })

  it('unsubscribes when its scope is disposed', () => {
    const { scope, subscriptions } = setup()
    scope.stop()
    expect(subscriptions.size).toBe(0)
  })
})
