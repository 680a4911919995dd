import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { io, type Socket } from 'socket.io-client'
import { loadDemoCity } from '@city/demo-city'
import { loadRegionTree } from '@city/metrics'
import type { LiveClientEvents, LiveServerEvents, RegionSnapshot } from '@city/metrics/wire'
import { COMMIT_CHANNEL, createMemoryPubSub, migrate, openPgliteDb, type Db } from '@city/platform'
import { buildApp } from './app.js'

const tree = loadRegionTree(loadDemoCity().regions)
const root = tree.root.id
const district = tree.root.children[0]!
const NOW = Date.parse('2026-11-23T06:30:00Z')
let db: Db
const pubsub = createMemoryPubSub()
let app: Awaited<ReturnType<typeof buildApp>>

beforeAll(async () => {
  db = await openPgliteDb('memory://')
  await migrate(db)
  // One stored minute of flow in the district: 10:29 local, i.e. inside every "current" window.
  await db.query(`insert into agg_1m (region, metric, bucket, n, sum, w, min, max, x) values
    ($1, 'traffic.flow', to_timestamp($2 / 1000.0), 3, 42, 0, null, null, null),
    ($3, 'traffic.flow', to_timestamp($2 / 1000.0), 3, 42, 0, null, null, null)`, [district, NOW - 60_000, root])
  await db.query(`insert into region_state values ($1, 7, to_timestamp($2 / 1000.0), now()), ($3, 7, to_timestamp($2 / 1000.0), now())`, [district, NOW - 30_000, root])
  app = await buildApp({ context: { db, pubsub, tree, timeZone: 'Asia/Shanghai', staleAfterMs: 180_000, now: () => NOW }, live: { tickMs: 50 } })
  await app.listen({ port: 0, host: '127.0.0.1' })
})

afterAll(async () => {
  await app.close()
  await db.close()
})

describe('REST', () => {
  it('serves the region tree with nested children', async () => {
    const res = await app.inject('/api/v1/regions')
    expect(res.statusCode).toBe(200)
    const body = res.json()
    expect(body).toMatchObject({ id: root, level: 'city' })
    expect(body.children.map((c: { id: string }) => c.id)).toEqual(tree.root.children)
  })

  it('serves the children of a region as GeoJSON for the map', async () => {
    const res = await app.inject(`/api/v1/regions/${district}/geo`)
    expect(res.statusCode).toBe(200)
    const ids = res.json().features.map((f: { properties: { id: string } }) => f.properties.id)
    expect(ids).toEqual(tree.get(district)!.children)
  })

  it('answers a snapshot with current and today values from the stored partials', async () => {
    const res = await app.inject(`/api/v1/regions/${root}/snapshot`)
    expect(res.statusCode).toBe(200)
    const snapshot = res.json() as RegionSnapshot
    expect(snapshot.version).toBe(7)
    expect(snapshot.values['traffic.flow']).toEqual({ current: 42, today: null })
    expect(snapshot.values['traffic.tti']).toEqual({ current: null, today: null })
    expect(snapshot.children.find((c) => c.region === district)?.values['traffic.flow']?.current).toBe(42)
    expect(snapshot.stale).toBe(false)
    expect(snapshot.trend['traffic.flow']).toHaveLength(60)
    // The last point is the minute in progress; the stored minute is the one before it.
    expect(snapshot.trend['traffic.flow']!.slice(-2)).toEqual([[NOW - 60_000, 42], [NOW, null]])
  })

  it.each([
    ['/api/v1/regions/nowhere/snapshot', 404, 'region nowhere does not exist'],
    ['/api/v1/regions/BAD ID/snapshot', 400, 'regionId'],
    [`/api/v1/series?metric=traffic.flow&region=${root}&from=2026-11-23T00:00:00Z&to=2026-11-23T01:00:00Z&step=2m`, 400, 'step'],
    [`/api/v1/series?metric=traffic.nope&region=${root}&from=2026-11-23T00:00:00Z&to=2026-11-23T01:00:00Z&step=1m`, 400, 'metric traffic.nope'],
    [`/api/v1/series?metric=traffic.flow&region=nowhere&from=2026-11-23T00:00:00Z&to=2026-11-23T01:00:00Z&step=1m`, 404, 'region nowhere'],
    [`/api/v1/series?metric=traffic.flow&region=${root}&from=2026-11-23T02:00:00Z&to=2026-11-23T01:00:00Z&step=1m`, 400, 'from'],
    [`/api/v1/series?metric=traffic.flow&region=${root}&from=yesterday&to=2026-11-23T01:00:00Z&step=1m`, 400, 'from'],
    [`/api/v1/series?metric=traffic.flow&region=${root}&from=2026-01-01T00:00:00Z&to=2026-11-23T01:00:00Z&step=1m`, 400, 'coarser step'],
    [`/api/v1/series?region=${root}&from=2026-01-01T00:00:00Z&to=2026-11-23T01:00:00Z&step=1m`, 400, 'metric'],
    [`/api/v1/series?metric=cases.open&region=${root}&from=2026-11-23T00:00:00Z&to=2026-11-23T01:00:00Z&step=1m`, 400, 'cases.open'],
    ['/api/v1/quality?from=2026-11-24&to=2026-11-23', 400, 'from'],
    ['/api/v1/nothing', 404, 'no route'],
  ])('GET %s → %i naming %s', async (url, status, text) => {
    const res = await app.inject(url)
    expect(res.statusCode).toBe(status)
    expect(res.json().message).toContain(text)
  })

  it('serves a series with one point per step, null where nothing is stored', async () => {
    const from = new Date(NOW - 3 * 60_000).toISOString()
    const to = new Date(NOW).toISOString()
    const res = await app.inject(`/api/v1/series?metric=traffic.flow&region=${root}&from=${from}&to=${to}&step=1m`)
    expect(res.statusCode).toBe(200)
    expect(res.json().points.map((p: { value: number | null }) => p.value)).toEqual([null, null, 42])
  })

  it('answers health and readiness', async () => {
    expect((await app.inject('/healthz')).json()).toEqual({ status: 'ok' })
    expect((await app.inject('/readyz')).json()).toEqual({ status: 'ready' })
  })
})

describe('socket.io /live', () => {
  it('sends a snapshot on subscribe and an update after a commit', async () => {
    const { port } = app.server.address() as { port: number }
    const socket: Socket<LiveServerEvents, LiveClientEvents> = io(`http://127.0.0.1:${port}/live`, { transports: ['websocket'] })
    try {
      const first = await new Promise<RegionSnapshot>((resolve) => {
        socket.on('snapshot', resolve)
        socket.emit('subscribe', { region: district })
      })
      expect(first.region).toBe(district)
      expect(first.values['traffic.flow']?.current).toBe(42)
      await db.query(`update region_state set version = 8`)
      const update = new Promise<RegionSnapshot>((resolve) => socket.on('update', resolve))
      await pubsub.publish(COMMIT_CHANNEL, { version: 8, committedAt: new Date().toISOString(), regions: [district] })
      expect((await update).version).toBe(8)
    } finally {
      socket.close()
    }
  })

  it('answers a subscription to an unknown region with a failure naming it', async () => {
    const { port } = app.server.address() as { port: number }
    const socket: Socket<LiveServerEvents, LiveClientEvents> = io(`http://127.0.0.1:${port}/live`, { transports: ['websocket'] })
    try {
      const failure = await new Promise<{ message: string }>((resolve) => {
        socket.on('failure', resolve)
        socket.emit('subscribe', { region: 'atlantis' })
      })
      expect(failure.message).toContain('atlantis')
    } finally {
      socket.close()
    }
  })
})
