import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildApp } from '@city/api'
import { replayFile, type ReplayProgress } from '@city/ingest'
import { findMetric, localDayStart, MINUTE_MS } from '@city/metrics'
import type { RegionSnapshot } from '@city/metrics/wire'
import { applyRetention, createMemoryPubSub } from '@city/platform'
import { expectClose } from './support/expect-close.js'
import { createOracle } from './support/oracle.js'
import { city, simulate, tree } from './support/embedded.js'
import { openTestStore, type StoreKind, type TestStore } from './support/stores.js'

// Two simulated morning hours, 2% bad messages, and at the end 300 redelivered copies of good messages
// from the last 50 minutes: within the dedupe window (1 hour of stream time after the first copy).
const END = Date.parse('2026-11-23T09:00:00+08:00')
const FROM = END - 2 * 3_600_000
const messages = simulate(FROM, END, { seed: 21, badShare: 0.02 })
const recent = (m: { value: string }) => Date.parse(/"ts":"([^"]+)"/.exec(m.value)?.[1] ?? '') >= END - 50 * 60_000
const copies = messages.filter((m) => !m.bad && recent(m)).filter((_, i) => i % 37 === 0).slice(0, 300)
const oracle = createOracle(messages, tree, city.devices)
const street = tree.get(city.devices.find((d) => d.kind === 'air')!.region)!.lineage[1]!
const dir = mkdtempSync(join(tmpdir(), 'city-store-'))
const writeFile = (name: string, lines: string[]) => {
  const path = join(dir, name)
  writeFileSync(path, lines.map((l) => l.replace(/\n/g, ' ')).join('\n') + '\n')
  return path
}
const streamFile = writeFile('stream.ndjson', [...messages, ...copies].map((m) => m.value))

/** A late reading for a road segment, `hoursLate` behind the newest reading of its file. */
function lateSegment(id: string, tsMs: number, flow: number): string {
  const device = city.devices.find((d) => d.kind === 'segment')!
  return JSON.stringify({ v: 1, id, source: 'traffic', kind: 'segment', device: device.id, ts: new Date(tsMs).toISOString(), values: { flow, speed_kmh: 30, free_flow_kmh: 60 } })
}

describe.each<StoreKind>(['pglite', 'timescaledb', 'postgres'])('the store on %s', (kind) => {
  let store: TestStore
  let app: Awaited<ReturnType<typeof buildApp>>
  let result: ReplayProgress
  const now = () => END

  beforeAll(async () => {
    store = await openTestStore(kind)
    result = await replayFile({ db: store.db, tree, devices: city.devices, path: streamFile, now, batchRecords: 10_000 })
    app = await buildApp({ context: { db: store.db, pubsub: createMemoryPubSub(), tree, timeZone: 'Asia/Shanghai', staleAfterMs: 180_000, now } })
  })

  afterAll(async () => {
    await app?.close()
    await store?.drop()
  })

  it('knows what engine it runs on and sets up the engine\'s own features', async () => {
    expect(store.db.engine).toBe(kind)
    if (kind === 'timescaledb') {
      const { rows } = await store.db.query<{ n: number }>('select count(*)::int as n from timescaledb_information.hypertables')
      expect(rows[0]!.n).toBe(3)
      await applyRetention(store.db)
      const jobs = await store.db.query<{ proc_name: string }>(`select proc_name from timescaledb_information.jobs where hypertable_name like 'agg_%' order by proc_name`)
      expect(jobs.rows.map((j) => j.proc_name)).toEqual(['policy_compression', 'policy_compression', 'policy_retention', 'policy_retention'])
    }
  })

  it('counts every good message once, every redelivered copy as a duplicate, every bad one by reason', () => {
    expect(result.accepted).toBe(oracle.accepted)
    expect(result.duplicates).toBe(copies.length)
    const expected: Record<string, number> = {}
    for (const m of messages.filter((x) => x.bad)) {
      expected[m.bad!] = (expected[m.bad!] ?? 0) + 1
    }
    expect(result.rejected).toEqual(expected)
  })

  it.each(['city', 'street'])('serves a %s snapshot equal to the recomputation', async (level) => {
    const region = level === 'city' ? tree.root.id : street
    const snapshot = (await app.inject(`/api/v1/regions/${region}/snapshot`)).json() as RegionSnapshot
    const endMs = END + MINUTE_MS
    for (const id of ['traffic.flow', 'traffic.tti', 'traffic.parking_occupancy', 'env.aqi', 'env.noise', 'cases.reported', 'cases.open']) {
      const metric = findMetric(id)!
      expectClose(snapshot.values[id]?.current, oracle.value(id, region, endMs - metric.currentWindowMin * MINUTE_MS, endMs, END), id)
      expectClose(snapshot.values[id]?.today, oracle.value(id, region, localDayStart(END, 'Asia/Shanghai'), endMs, END), id)
    }
  })

  it.each(['1m', '1h'])('serves %s series equal to the recomputation', async (step) => {
    const stepMs = step === '1m' ? MINUTE_MS : 3_600_000
    for (const metric of ['traffic.speed', 'env.pm25', 'env.aqi']) {
      const res = await app.inject(`/api/v1/series?metric=${metric}&region=${street}&from=${new Date(FROM).toISOString()}&to=${new Date(END).toISOString()}&step=${step}`)
      expect(res.statusCode).toBe(200)
      for (const p of res.json().points as { t: string, value: number | null }[]) {
        const t = Date.parse(p.t)
        expectClose(p.value, oracle.value(metric, street, t, t + stepMs), metric)
      }
    }
  })

  it('ranks a district\'s streets by the recomputed values, with the change against the previous period', async () => {
    const district = tree.get(street)!.parent!
    const res = await app.inject(`/api/v1/rankings?metric=traffic.tti&parent=${district}&from=${new Date(END - 3_600_000).toISOString()}&to=${new Date(END).toISOString()}`)
    expect(res.statusCode).toBe(200)
    const items = res.json().items as { region: string, value: number | null, rank: number | null, previousValue: number | null }[]
    expect(items.map((i) => i.region).sort()).toEqual([...tree.get(district)!.children].sort())
    for (const item of items) {
      expectClose(item.value, oracle.value('traffic.tti', item.region, END - 3_600_000, END), 'traffic.tti')
      expectClose(item.previousValue, oracle.value('traffic.tti', item.region, END - 7_200_000, END - 3_600_000), 'traffic.tti')
    }
    const ranked = items.filter((i) => i.rank !== null)
    expect(ranked.map((i) => i.value)).toEqual([...ranked.map((i) => i.value)].sort((a, b) => b! - a!))
  })

  it('counts the city\'s work orders per department as recomputed', async () => {
    const from = END - 3_600_000
    const res = await app.inject(`/api/v1/cases/by-department?region=${tree.root.id}&from=${new Date(from).toISOString()}&to=${new Date(END).toISOString()}`)
    expect(res.statusCode).toBe(200)
    const shown = new Map((res.json().items as { dept: string | null, open: number, overdue: number, reported: number, closed: number, closedOnTime: number }[])
      .map(({ dept, open, overdue, reported, closed, closedOnTime }) => [dept, { open, overdue, reported, closed, closedOnTime }]))
    expect(shown).toEqual(oracle.departments(tree.root.id, from, END, END))
    expect([...shown.values()].some((r) => r.closed > 0)).toBe(true)
  })

  it.each(['5m', '15m'])('merges minutes into %s buckets in the database, equal to the recomputation', async (step) => {
    const stepMs = (step === '5m' ? 5 : 15) * MINUTE_MS
    const res = await app.inject(`/api/v1/series?metric=traffic.tti&region=${tree.root.id}&from=${new Date(FROM).toISOString()}&to=${new Date(END).toISOString()}&step=${step}&compare=prev`)
    expect(res.statusCode).toBe(200)
    const points = res.json().points as { t: string, value: number | null, compare: number | null }[]
    expect(points).toHaveLength((END - FROM) / stepMs)
    for (const p of points) {
      const t = Date.parse(p.t)
      expectClose(p.value, oracle.value('traffic.tti', tree.root.id, t, t + stepMs), 'traffic.tti')
      expectClose(p.compare, oracle.value('traffic.tti', tree.root.id, t - (END - FROM), t - (END - FROM) + stepMs), 'traffic.tti')
    }
  })

  it('serves a daily series on local days and exports it as CSV for Excel', async () => {
    const day = localDayStart(END, 'Asia/Shanghai')
    const url = `/api/v1/series?metric=traffic.flow&region=${tree.root.id}&from=${new Date(day).toISOString()}&to=${new Date(day + 86_400_000).toISOString()}&step=1d`
    const res = await app.inject(url)
    expectClose(res.json().points[0].value, oracle.value('traffic.flow', tree.root.id, day, END + 1), 'traffic.flow')
    const csv = await app.inject({ url, headers: { accept: 'text/csv' } })
    expect(csv.headers['content-type']).toContain('text/csv')
    expect(csv.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]))
    expect(csv.body).toContain('车流量')
  })

  it('corrects history with late data and dead-letters data older than the allowed lateness', async () => {
    const hour = END - 3 * 3_600_000
    const before = await flowAt(hour)
    const late = writeFile(`late-${kind}.ndjson`, [
      lateSegment(`late-new-${kind}`, END, 1),
      lateSegment(`late-3h-${kind}`, hour + 60_000, 40),
      lateSegment(`late-30h-${kind}`, END - 30 * 3_600_000, 7),
    ])
    const lateResult = await replayFile({ db: store.db, tree, devices: city.devices, path: late, now })
    expect(lateResult.accepted).toBe(2)
    expect(lateResult.rejected).toEqual({ too_late: 1 })
    expect(await flowAt(hour)).toBe((before ?? 0) + 40)
  })

  async function flowAt(hourMs: number): Promise<number | null> {
    const res = await app.inject(`/api/v1/series?metric=traffic.flow&region=${tree.root.id}&from=${new Date(hourMs).toISOString()}&to=${new Date(hourMs + 3_600_000).toISOString()}&step=1h`)
    return res.json().points[0].value
  }
})
