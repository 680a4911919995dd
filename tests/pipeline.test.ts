import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { findMetric, localDayStart, MINUTE_MS } from '@city/metrics'
import { TOPICS, type RegionSnapshot } from '@city/metrics/wire'
import { createOracle } from './support/oracle.js'
import { expectClose as close } from './support/expect-close.js'
import { city, simulate, startEmbedded, tree } from './support/embedded.js'

// A weekday morning in the demo city: two simulated hours up to 10:30 local time.
const NOW = Date.parse('2026-11-23T10:30:00+08:00')
const FROM = NOW - 2 * 3_600_000
const messages = simulate(FROM, NOW)
const oracle = createOracle(messages, tree, city.devices)
// A community with sensors, and its street and district.
const [community, street, district] = tree.get(city.devices.find((d) => d.kind === 'segment')!.region)!.lineage as [string, string, string]
let product: Awaited<ReturnType<typeof startEmbedded>>

const CHECKED = [
  'traffic.flow', 'traffic.speed', 'traffic.tti', 'traffic.parking_occupancy', 'env.pm25', 'env.pm10', 'env.no2',
  'env.o3', 'env.co', 'env.aqi', 'env.noise', 'cases.reported', 'cases.closed', 'cases.closed_on_time',
  'cases.on_time_rate', 'cases.open', 'cases.overdue',
]

beforeAll(async () => {
  product = await startEmbedded(() => NOW)
  await product.ingest(messages)
})

afterAll(async () => {
  await product?.close()
})

describe('simulator → ingest → PGlite → API', () => {
  it('generates a realistic mix: thousands of readings, work orders, and some bad messages', () => {
    expect(messages.length).toBeGreaterThan(50_000)
    expect(messages.filter((m) => m.topic === TOPICS.events).length).toBeGreaterThan(100)
    expect(messages.filter((m) => m.bad).length).toBeGreaterThan(100)
  })

  it.each([
    ['city', tree.root.id], ['district', district], ['street', street], ['community', community],
  ])('the %s snapshot equals a recomputation from the raw stream', async (_level, region) => {
    const snapshot = (await product.app.inject(`/api/v1/regions/${region}/snapshot`)).json() as RegionSnapshot
    const endMs = Math.floor(NOW / MINUTE_MS) * MINUTE_MS + MINUTE_MS
    const dayMs = localDayStart(NOW, 'Asia/Shanghai')
    for (const id of CHECKED) {
      const metric = findMetric(id)!
      close(snapshot.values[id]?.current, oracle.value(id, region, endMs - metric.currentWindowMin * MINUTE_MS, endMs, NOW), id)
      close(snapshot.values[id]?.today, oracle.value(id, region, dayMs, endMs, NOW), id)
    }
    expect(snapshot.stale).toBe(false)
  })

  it('the map values of every child equal the recomputation', async () => {
    const snapshot = (await product.app.inject(`/api/v1/regions/${district}/snapshot`)).json() as RegionSnapshot
    expect(snapshot.children.map((c) => c.region)).toEqual(tree.get(district)!.children)
    const endMs = Math.floor(NOW / MINUTE_MS) * MINUTE_MS + MINUTE_MS
    for (const child of snapshot.children) {
      close(child.values['traffic.tti']?.current, oracle.value('traffic.tti', child.region, endMs - 5 * MINUTE_MS, endMs), 'traffic.tti')
      close(child.values['env.aqi']?.current, oracle.value('env.aqi', child.region, endMs - 60 * MINUTE_MS, endMs), 'env.aqi')
    }
  })

  it('the 60-minute trends equal the recomputation per minute (AQI over each trailing hour)', async () => {
    const snapshot = (await product.app.inject(`/api/v1/regions/${district}/snapshot`)).json() as RegionSnapshot
    for (const [t, value] of snapshot.trend['traffic.flow']!) {
      close(value, oracle.value('traffic.flow', district, t, t + MINUTE_MS), 'traffic.flow')
    }
    for (const [t, value] of snapshot.trend['env.aqi']!) {
      close(value, oracle.value('env.aqi', district, t + MINUTE_MS - 60 * MINUTE_MS, t + MINUTE_MS), 'env.aqi')
    }
    expect(snapshot.trend['env.aqi']!.filter(([, v]) => v !== null).length).toBeGreaterThan(50)
  })

  it.each(['1m', '1h'])('a %s series of flow and noise equals the recomputation per bucket', async (step) => {
    const stepMs = step === '1m' ? MINUTE_MS : 3_600_000
    for (const metric of ['traffic.flow', 'env.noise']) {
      const url = `/api/v1/series?metric=${metric}&region=${street}&from=${new Date(FROM).toISOString()}&to=${new Date(NOW).toISOString()}&step=${step}`
      const res = await product.app.inject(url)
      expect(res.statusCode).toBe(200)
      const points = res.json().points as { t: string, value: number | null }[]
      expect(points).toHaveLength(Math.ceil((NOW - (FROM - (FROM % stepMs))) / stepMs))
      for (const p of points) {
        const t = Date.parse(p.t)
        close(p.value, oracle.value(metric, street, t, t + stepMs), metric)
      }
    }
  })

  it.each([['city', tree.root.id], ['district', district], ['street', street]])('work orders per department in the %s equal the recomputation', async (_level, region) => {
    const from = NOW - 90 * 60_000
    const res = await product.app.inject(`/api/v1/cases/by-department?region=${region}&from=${new Date(from).toISOString()}&to=${new Date(NOW).toISOString()}`)
    expect(res.statusCode).toBe(200)
    const items = res.json().items as { dept: string | null, name: string, open: number, overdue: number, reported: number, closed: number, closedOnTime: number, onTimeRate: number | null }[]
    const expected = oracle.departments(region, from, NOW, NOW)
    expect(new Set(items.map((i) => i.dept))).toEqual(new Set(expected.keys()))
    for (const item of items) {
      const { open, overdue, reported, closed, closedOnTime } = expected.get(item.dept)!
      expect({ open: item.open, overdue: item.overdue, reported: item.reported, closed: item.closed, closedOnTime: item.closedOnTime }, item.name)
        .toEqual({ open, overdue, reported, closed, closedOnTime })
      expect(item.onTimeRate).toBe(closed === 0 ? null : closedOnTime / closed)
    }
    // Worst first: most overdue, then most open.
    const order = items.map((i) => [i.overdue, i.open])
    expect(order).toEqual([...order].sort((a, b) => b[0]! - a[0]! || b[1]! - a[1]!))
    if (region === tree.root.id) {
      expect(items.reduce((a, i) => a + i.open, 0)).toBe(oracle.value('cases.open', region, from, NOW, NOW))
      expect(items.filter((i) => i.dept !== null && i.closed > 0).length).toBeGreaterThan(1)
      expect(items.some((i) => i.name === '城管执法局')).toBe(true)
    }
  })

  it('refuses a department query with a bad field, naming it', async () => {
    const res = await product.app.inject(`/api/v1/cases/by-department?region=${district}&from=yesterday&to=${new Date(NOW).toISOString()}`)
    expect(res.statusCode).toBe(400)
    expect(res.json().message).toContain('from')
    const unknown = await product.app.inject(`/api/v1/cases/by-department?region=atlantis&from=${new Date(FROM).toISOString()}&to=${new Date(NOW).toISOString()}`)
    expect(unknown.statusCode).toBe(404)
  })

  it('counts every good message and dead-letters every bad one with the reason it deserves', async () => {
    const day = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(NOW)
    const quality = (await product.app.inject(`/api/v1/quality?from=${day}&to=${day}`)).json() as { accepted: number, rejected: { reason: string, count: number }[] }
    expect(quality.accepted).toBe(oracle.accepted)
    const expected = new Map<string, number>()
    for (const m of messages.filter((x) => x.bad)) {
      expected.set(m.bad!, (expected.get(m.bad!) ?? 0) + 1)
    }
    const actual = new Map<string, number>()
    for (const r of quality.rejected) {
      actual.set(r.reason, (actual.get(r.reason) ?? 0) + r.count)
    }
    expect(actual).toEqual(expected)

    const dead = Array.from({ length: product.log.partitions }, (_, p) => product.log.read(TOPICS.deadletter, p, 0, 1e6)).flat()
    const deadByValue = new Map(dead.map((d) => [d.value, d.headers?.reason]))
    for (const m of messages.filter((x) => x.bad)) {
      expect(deadByValue.get(m.value), m.value.slice(0, 80)).toBe(m.bad)
    }
  })
})
