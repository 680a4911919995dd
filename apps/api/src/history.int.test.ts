import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadDemoCity } from '@city/demo-city'
import { loadRegionTree, type RegionFeature } from '@city/metrics'
import type { RankingsResponse, SeriesResponse } from '@city/metrics/wire'
import { createMemoryPubSub, migrate, openPgliteDb, type Db } from '@city/platform'
import { buildApp } from './app.js'
import { alignDown, bucketStarts, countBuckets, shiftLocal } from './queries/buckets.js'

// Two street names changed so the CSV has to quote and defuse them.
const city = loadDemoCity().regions as { type: string, features: RegionFeature[] }
const renamed: Record<string, string> = { jiangting: '江汀"新"街道,东片', wenlan: '=文澜街道' }
const tree = loadRegionTree({ ...city, features: city.features.map((f) => ({ ...f, properties: { ...f.properties, name: renamed[f.properties.id] ?? f.properties.name } })) })

const SH = '+08:00'
/** A Shanghai wall time as the UTC ISO string the API answers with. */
const utc = (local: string, offset = SH) => new Date(`${local}${offset}`).toISOString()

let db: Db
let app: Awaited<ReturnType<typeof buildApp>>
let berlin: Awaited<ReturnType<typeof buildApp>>

interface Stored { n: number, sum: number, w?: number, min?: number, max?: number, x?: object }
async function put(table: 'agg_1m' | 'agg_1h' | 'agg_1d', region: string, metric: string, bucket: string, p: Stored) {
  await db.query(
    `insert into ${table} (region, metric, bucket, n, sum, w, min, max, x) values ($1, $2, $3::timestamptz, $4, $5, $6, $7, $8, $9::jsonb)`,
    [region, metric, bucket, p.n, p.sum, p.w ?? 0, p.min ?? null, p.max ?? null, p.x ? JSON.stringify(p.x) : null],
  )
}
const count = (sum: number): Stored => ({ n: 1, sum })

async function series(query: string, accept?: string) {
  return app.inject({ url: `/api/v1/series?${query}`, headers: accept ? { accept } : {} })
}
const values = (body: SeriesResponse) => body.points.map((p) => p.value)

beforeAll(async () => {
  db = await openPgliteDb('memory://')
  await migrate(db)
  const pubsub = createMemoryPubSub()
  const context = { db, pubsub, tree, timeZone: 'Asia/Shanghai', staleAfterMs: 180_000, now: () => Date.parse('2026-12-10T00:00:00Z') }
  app = await buildApp({ context })
  berlin = await buildApp({ context: { ...context, timeZone: 'Europe/Berlin' } })

  // fenglin: flow and TTI per minute 10:00–10:14 local (value i + 1 in minute i); hours 08:00–11:00.
  for (let i = 0; i < 15; i++) {
    const minute = `2026-11-23T10:${String(i).padStart(2, '0')}:00${SH}`
    await put('agg_1m', 'fenglin', 'traffic.flow', minute, count(i + 1))
    // TTI weighted by flow: 1.2 on light minutes (weight 1), 2.0 on heavy ones (weight 3).
    await put('agg_1m', 'fenglin', 'traffic.tti', minute, i % 2 === 0 ? { n: 1, sum: 1.2, w: 1, min: 1.2, max: 1.2 } : { n: 1, sum: 6, w: 3, min: 2, max: 2 })
  }
  for (const [hour, flow] of [['08', 100], ['09', 200], ['10', 300], ['11', 400]] as const) {
    await put('agg_1h', 'fenglin', 'traffic.flow', `2026-11-23T${hour}:00:00${SH}`, count(flow))
  }

  // shiquan: local days. 1 Nov and 1 Dec start at 16:00 UTC the day before, i.e. in the previous UTC month.
  const days: [string, number][] = [
    ['2026-11-01', 2], ['2026-11-29', 1], ['2026-11-30', 10], ['2026-12-01', 100], ['2026-12-06', 1000], ['2026-12-07', 10000],
    ['2027-02-28', 5], ['2027-03-01', 7], ['2027-12-01', 3],
  ]
  for (const [day, flow] of days) {
    await put('agg_1d', 'shiquan', 'traffic.flow', `${day}T00:00:00${SH}`, count(flow))
  }

  // qingfeng: pollutant minutes for AQI; parking reports for latest-per-device occupancy.
  await put('agg_1m', 'qingfeng', 'env.pm25', `2026-11-23T10:00:00${SH}`, { n: 1, sum: 30, min: 30, max: 30 })
  await put('agg_1m', 'qingfeng', 'env.pm25', `2026-11-23T10:07:00${SH}`, { n: 3, sum: 150, min: 40, max: 60 })
  await put('agg_1m', 'qingfeng', 'env.pm10', `2026-11-23T10:03:00${SH}`, { n: 2, sum: 100, min: 45, max: 55 })
  const t1 = Date.parse(`2026-11-23T10:00:10${SH}`)
  const t2 = Date.parse(`2026-11-23T10:01:10${SH}`)
  await put('agg_1m', 'qingfeng', 'traffic.parking_occupancy', `2026-11-23T10:00:00${SH}`, { n: 1, sum: 0, x: { last: { p1: [t1, 50, 100] } } })
  await put('agg_1m', 'qingfeng', 'traffic.parking_occupancy', `2026-11-23T10:01:00${SH}`, { n: 2, sum: 0, x: { last: { p1: [t2, 80, 100], p2: [t2, 10, 50] } } })

  // zhuxi: work orders closed (on time) per local day.
  await put('agg_1d', 'zhuxi', 'cases.closed', `2026-11-30T00:00:00${SH}`, count(8))
  await put('agg_1d', 'zhuxi', 'cases.closed_on_time', `2026-11-30T00:00:00${SH}`, count(8))
  await put('agg_1d', 'zhuxi', 'cases.closed', `2026-12-01T00:00:00${SH}`, count(12))
  await put('agg_1d', 'zhuxi', 'cases.closed_on_time', `2026-12-01T00:00:00${SH}`, count(7))

  // Berlin local days across the switch to summer time on Sunday 29 March 2026.
  for (const [day, offset, flow] of [['2026-03-23', '+01:00', 1], ['2026-03-29', '+01:00', 10], ['2026-03-30', '+02:00', 100], ['2026-04-05', '+02:00', 1000]] as const) {
    await put('agg_1d', 'yuntai', 'traffic.flow', `${day}T00:00:00${offset}`, count(flow))
  }
})

afterAll(async () => {
  await app.close()
  await berlin.close()
  await db.close()
})

describe('GET /api/v1/series steps', () => {
  it.each([
    { step: '1m', from: '2026-11-23T10:02:30', to: '2026-11-23T10:05:00', t0: '2026-11-23T10:02:00', expected: [3, 4, 5] },
    { step: '5m', from: '2026-11-23T10:02:00', to: '2026-11-23T10:15:00', t0: '2026-11-23T10:00:00', expected: [15, 40, 65] },
    { step: '15m', from: '2026-11-23T09:50:00', to: '2026-11-23T10:15:00', t0: '2026-11-23T09:45:00', expected: [null, 120] },
    { step: '1h', from: '2026-11-23T08:30:00', to: '2026-11-23T12:00:00', t0: '2026-11-23T08:00:00', expected: [100, 200, 300, 400] },
  ])('merges minute and hour rollups at step $step from the aligned from', async ({ step, from, to, t0, expected }) => {
    const res = await series(`metric=traffic.flow&region=fenglin&from=${utc(from)}&to=${utc(to)}&step=${step}`)
    expect(res.statusCode).toBe(200)
    const body = res.json() as SeriesResponse
    expect(body).toMatchObject({ metric: 'traffic.flow', region: 'fenglin', step, from: utc(t0), to: utc(to) })
    expect(values(body)).toEqual(expected)
    expect(body.points[0]).toEqual({ t: utc(t0), value: expected[0] })
  })

  it('merges weighted means over 5 minutes as Σw·x / Σw', async () => {
    const body = (await series(`metric=traffic.tti&region=fenglin&from=${utc('2026-11-23T10:00:00')}&to=${utc('2026-11-23T10:10:00')}&step=5m`)).json() as SeriesResponse
    // 10:00–10:04: three light minutes (w 1) and two heavy (w 3): (3·1.2 + 2·6) / (3 + 6).
    expect(body.points[0]!.value).toBeCloseTo((3 * 1.2 + 12) / 9, 12)
    expect(body.points[1]!.value).toBeCloseTo((2 * 1.2 + 18) / 11, 12)
  })

  it.each([
    // 1 Dec local starts on 30 Nov in UTC: it is December's first day and a Tuesday in the week of Monday 30 Nov.
    { step: '1d', from: '2026-11-29T05:00:00', to: '2026-12-02T00:00:00', t0: '2026-11-29T00:00:00', expected: [1, 10, 100] },
    { step: '1w', from: '2026-11-25T00:00:00', to: '2026-12-14T00:00:00', t0: '2026-11-23T00:00:00', expected: [1, 1110, 10000] },
    { step: '1mo', from: '2026-11-15T00:00:00', to: '2027-01-01T00:00:00', t0: '2026-11-01T00:00:00', expected: [13, 11100] },
  ])('groups local days at step $step in Asia/Shanghai (weeks from Monday, months from the 1st)', async ({ step, from, to, t0, expected }) => {
    const body = (await series(`metric=traffic.flow&region=shiquan&from=${utc(from)}&to=${utc(to)}&step=${step}`)).json() as SeriesResponse
    expect(body.from).toBe(utc(t0))
    expect(values(body)).toEqual(expected)
  })

  it('puts 30 Nov 2026 (a Monday, 16:00 UTC on the 29th) in November and in the week starting that Monday', async () => {
    const month = (await series(`metric=traffic.flow&region=shiquan&from=${utc('2026-11-01T00:00:00')}&to=${utc('2026-12-01T00:00:00')}&step=1mo`)).json() as SeriesResponse
    const week = (await series(`metric=traffic.flow&region=shiquan&from=${utc('2026-11-30T23:30:00')}&to=${utc('2026-12-01T00:00:00')}&step=1w`)).json() as SeriesResponse
    expect(month.points).toEqual([{ t: '2026-10-31T16:00:00.000Z', value: 13 }])
    expect(week.points).toEqual([{ t: '2026-11-29T16:00:00.000Z', value: 1110 }])
  })

  it('keeps weeks at 7 local days where clocks change (Europe/Berlin, 29 March 2026)', async () => {
    const url = `/api/v1/series?metric=traffic.flow&region=yuntai&from=${utc('2026-03-23T00:00:00', '+01:00')}&to=${utc('2026-04-06T00:00:00', '+02:00')}&step=1w`
    const body = (await berlin.inject(url)).json() as SeriesResponse
    expect(body.points).toEqual([{ t: utc('2026-03-23T00:00:00', '+01:00'), value: 11 }, { t: utc('2026-03-30T00:00:00', '+02:00'), value: 1100 }])
  })

  it('computes AQI from the merged pollutant means, not from per-minute indexes', async () => {
    const body = (await series(`metric=env.aqi&region=qingfeng&from=${utc('2026-11-23T10:00:00')}&to=${utc('2026-11-23T10:15:00')}&step=15m`)).json() as SeriesResponse
    // PM2.5 mean 180 / 4 = 45 → IAQI 50 + 50·(45 − 35)/40 = 62.5 → 63; PM10 mean 50 → IAQI 50.
    expect(values(body)).toEqual([63])
  })

  it('merges latest-per-device reports in the database (parking occupancy over 5 minutes)', async () => {
    const body = (await series(`metric=traffic.parking_occupancy&region=qingfeng&from=${utc('2026-11-23T10:00:00')}&to=${utc('2026-11-23T10:05:00')}&step=5m`)).json() as SeriesResponse
    expect(values(body)).toEqual([(80 + 10) / (100 + 50)])
  })

  it('computes the on-time rate from summed counts over a week, not as a mean of daily rates', async () => {
    const body = (await series(`metric=cases.on_time_rate&region=zhuxi&from=${utc('2026-11-30T00:00:00')}&to=${utc('2026-12-07T00:00:00')}&step=1w`)).json() as SeriesResponse
    expect(values(body)).toEqual([15 / 20])
  })
})

describe('GET /api/v1/series?compare', () => {
  it('compare=prev shifts back by the range length', async () => {
    const body = (await series(`metric=traffic.flow&region=fenglin&from=${utc('2026-11-23T10:00:00')}&to=${utc('2026-11-23T12:00:00')}&step=1h&compare=prev`)).json() as SeriesResponse
    expect(body).toMatchObject({ compare: 'prev', compareFrom: utc('2026-11-23T08:00:00'), compareTo: utc('2026-11-23T10:00:00') })
    expect(body.points).toEqual([
      { t: utc('2026-11-23T10:00:00'), value: 300, compare: 100 },
      { t: utc('2026-11-23T11:00:00'), value: 400, compare: 200 },
    ])
  })

  it('compare=prev at step 1mo compares with the preceding calendar month', async () => {
    const body = (await series(`metric=traffic.flow&region=shiquan&from=${utc('2026-12-01T00:00:00')}&to=${utc('2027-01-01T00:00:00')}&step=1mo&compare=prev`)).json() as SeriesResponse
    expect(body).toMatchObject({ compareFrom: utc('2026-11-01T00:00:00'), compareTo: utc('2026-12-01T00:00:00') })
    expect(body.points).toEqual([{ t: utc('2026-12-01T00:00:00'), value: 11100, compare: 13 }])
  })

  it('compare=week takes the same local days a week earlier', async () => {
    const body = (await series(`metric=traffic.flow&region=shiquan&from=${utc('2026-12-07T00:00:00')}&to=${utc('2026-12-09T00:00:00')}&step=1d&compare=week`)).json() as SeriesResponse
    expect(body.compareFrom).toBe(utc('2026-11-30T00:00:00'))
    expect(body.points.map((p) => [p.value, p.compare])).toEqual([[10000, 10], [null, 100]])
  })

  it('compare=year takes the same calendar month a year earlier', async () => {
    const body = (await series(`metric=traffic.flow&region=shiquan&from=${utc('2027-11-01T00:00:00')}&to=${utc('2028-01-01T00:00:00')}&step=1mo&compare=year`)).json() as SeriesResponse
    expect(body).toMatchObject({ compareFrom: utc('2026-11-01T00:00:00'), compareTo: utc('2027-01-01T00:00:00') })
    expect(body.points.map((p) => [p.value, p.compare])).toEqual([[null, 13], [3, 11100]])
  })

  it('compare=year maps 29 February onto 28 February', async () => {
    const body = (await series(`metric=traffic.flow&region=shiquan&from=${utc('2028-02-28T00:00:00')}&to=${utc('2028-03-02T00:00:00')}&step=1d&compare=year`)).json() as SeriesResponse
    expect(body.points.map((p) => p.compare)).toEqual([5, 5, 7])
  })

  it('compare=year at step 1w compares with the same seven calendar dates a year earlier', async () => {
    // Monday 29 Nov 2027 → Sunday 29 Nov 2026 to Saturday 5 Dec 2026: 1 + 10 + 100.
    const body = (await series(`metric=traffic.flow&region=shiquan&from=${utc('2027-11-29T00:00:00')}&to=${utc('2027-12-06T00:00:00')}&step=1w&compare=year`)).json() as SeriesResponse
    expect(body.compareFrom).toBe(utc('2026-11-29T00:00:00'))
    expect(body.points).toEqual([{ t: utc('2027-11-29T00:00:00'), value: 3, compare: 111 }])
  })
})

describe('GET /api/v1/rankings', () => {
  const day = (d: string) => `2026-11-${d}T00:00:00${SH}`
  const range = `from=${utc('2026-11-23T00:00:00')}&to=${utc('2026-11-24T00:00:00')}`
  beforeAll(async () => {
    // Streets of demo-jiangbin in tree order: wanghu, jiangting, wenlan, heming, tingtao, guifang, chengbo, jinping.
    for (const [region, today, yesterday] of [['wanghu', 50, 90], ['jiangting', 80, 20], ['wenlan', 80, 30], ['heming', 10, null], ['tingtao', null, 5]] as const) {
      if (today !== null) {
        await put('agg_1d', region, 'traffic.flow', day('23'), count(today))
      }
      if (yesterday !== null) {
        await put('agg_1d', region, 'traffic.flow', day('22'), count(yesterday))
      }
    }
  })

  it('ranks the children highest first, ties share a rank, regions without data come last unranked', async () => {
    const res = await app.inject(`/api/v1/rankings?metric=traffic.flow&parent=demo-jiangbin&${range}`)
    expect(res.statusCode).toBe(200)
    const body = res.json() as RankingsResponse
    expect(body).toMatchObject({ parent: 'demo-jiangbin', order: 'desc', resolution: '1d', previousFrom: utc('2026-11-22T00:00:00'), previousTo: utc('2026-11-23T00:00:00') })
    expect(body.items.map((i) => [i.region, i.value, i.rank, i.previousValue, i.previousRank, i.rankChange])).toEqual([
      ['jiangting', 80, 1, 20, 3, 2],
      ['wenlan', 80, 1, 30, 2, 1],
      ['wanghu', 50, 3, 90, 1, -2],
      ['heming', 10, 4, null, null, null],
      ['tingtao', null, null, 5, 4, null],
      ['guifang', null, null, null, null, null],
      ['chengbo', null, null, null, null, null],
      ['jinping', null, null, null, null, null],
    ])
    expect(body.items[0]!.name).toBe(renamed.jiangting)
  })

  it('ranks the lowest first with order=asc', async () => {
    const body = (await app.inject(`/api/v1/rankings?metric=traffic.flow&parent=demo-jiangbin&${range}&order=asc`)).json() as RankingsResponse
    expect(body.items.slice(0, 5).map((i) => [i.region, i.rank, i.previousRank, i.rankChange])).toEqual([
      ['heming', 1, null, null], ['wanghu', 2, 4, 2], ['jiangting', 3, 2, -1], ['wenlan', 3, 3, 0], ['tingtao', null, 1, null],
    ])
  })

  it.each([
    { from: '2026-11-25T00:00:00', to: '2026-11-26T00:00:00', resolution: '1d', value: 10_000 },
    { from: '2026-11-25T10:00:00', to: '2026-11-25T12:00:00', resolution: '1h', value: 200 },
    { from: '2026-11-25T10:05:00', to: '2026-11-25T10:08:00', resolution: '1m', value: 3 },
  ])('merges the coarsest rollup that tiles the range: $resolution', async ({ from, to, resolution, value }) => {
    // Deliberately different figures per rollup, so the answer shows which one was read.
    if (resolution === '1d') {
      await put('agg_1d', 'chengbo', 'cases.reported', `2026-11-25T00:00:00${SH}`, count(10_000))
      for (let h = 10; h < 12; h++) {
        await put('agg_1h', 'chengbo', 'cases.reported', `2026-11-25T${h}:00:00${SH}`, count(100))
      }
      for (let m = 0; m < 10; m++) {
        await put('agg_1m', 'chengbo', 'cases.reported', `2026-11-25T10:0${m}:00${SH}`, count(1))
      }
    }
    const body = (await app.inject(`/api/v1/rankings?metric=cases.reported&parent=demo-jiangbin&from=${utc(from)}&to=${utc(to)}`)).json() as RankingsResponse
    expect(body.resolution).toBe(resolution)
    expect(body.items[0]).toMatchObject({ region: 'chengbo', value, rank: 1 })
  })

  it('compares whole months with the preceding calendar month', async () => {
    const body = (await app.inject(`/api/v1/rankings?metric=traffic.flow&parent=demo-xiling&from=${utc('2026-12-01T00:00:00')}&to=${utc('2027-01-01T00:00:00')}`)).json() as RankingsResponse
    expect(body).toMatchObject({ previousFrom: utc('2026-11-01T00:00:00'), previousTo: utc('2026-12-01T00:00:00') })
    expect(body.items[0]).toMatchObject({ region: 'shiquan', value: 11100, rank: 1, previousValue: 13, previousRank: 1, rankChange: 0 })
  })

  it('ranks derived metrics from merged partials (on-time rate)', async () => {
    const body = (await app.inject(`/api/v1/rankings?metric=cases.on_time_rate&parent=demo-xiling&from=${utc('2026-11-30T00:00:00')}&to=${utc('2026-12-02T00:00:00')}`)).json() as RankingsResponse
    expect(body.items[0]).toMatchObject({ region: 'zhuxi', value: 15 / 20, rank: 1 })
  })
})

describe('CSV', () => {
  const tti = `metric=traffic.tti&region=fenglin&from=${utc('2026-11-23T10:00:00')}&to=${utc('2026-11-23T10:10:00')}&step=5m`

  it('answers Accept: text/csv with a BOM, Chinese headers, local times and an attachment name', async () => {
    const res = await series(tti, 'text/csv')
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8')
    expect(res.headers['content-disposition']).toBe(
      `attachment; filename="series_fenglin_traffic.tti_5m_20261123-20261123.csv"; filename*=UTF-8''${encodeURIComponent('枫林街道_交通拥堵指数_20261123-20261123.csv')}`,
    )
    expect([...res.rawPayload.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
    expect(res.rawPayload.subarray(3).toString('utf8')).toBe('时间,交通拥堵指数\r\n2026-11-23 10:00,1.73\r\n2026-11-23 10:05,1.85\r\n')
  })

  it('adds the compared time and value with ?format=csv, units in parentheses', async () => {
    const res = await series(`metric=traffic.flow&region=fenglin&from=${utc('2026-11-23T10:00:00')}&to=${utc('2026-11-23T12:00:00')}&step=1h&compare=prev&format=csv`)
    expect(res.body).toBe('\uFEFF时间,车流量(辆),对比时间,对比值\r\n2026-11-23 10:00,300,2026-11-23 08:00,100\r\n2026-11-23 11:00,400,2026-11-23 09:00,200\r\n')
  })

  it('writes fractions as percentages', async () => {
    const res = await series(`metric=cases.on_time_rate&region=zhuxi&from=${utc('2026-11-30T00:00:00')}&to=${utc('2026-12-02T00:00:00')}&step=1d&format=csv`)
    expect(res.body).toBe('\uFEFF时间,按期结案率(%)\r\n2026-11-30 00:00,100.0\r\n2026-12-01 00:00,58.3\r\n')
  })

  it('keeps JSON for ?format=json and for clients that prefer JSON', async () => {
    expect((await series(`${tti}&format=json`, 'text/csv')).headers['content-type']).toContain('application/json')
    expect((await series(tti, 'application/json, text/csv;q=0.5')).headers['content-type']).toContain('application/json')
  })

  it('quotes and defuses region names in rankings, leaving unranked cells empty', async () => {
    const res = await app.inject({ url: `/api/v1/rankings?metric=traffic.flow&parent=demo-jiangbin&from=${utc('2026-11-23T00:00:00')}&to=${utc('2026-11-24T00:00:00')}`, headers: { accept: 'text/csv' } })
    expect(res.headers['content-disposition']).toContain('filename="rankings_demo-jiangbin_traffic.flow_20261123-20261123.csv"')
    expect(res.body.split('\r\n').slice(0, 6)).toEqual([
      '\uFEFF排名,区域,车流量(辆),上期排名,排名变化',
      '1,"江汀""新""街道,东片",80,3,2',
      '1,\'=文澜街道,80,2,1',
      '3,望湖街道,50,1,-2',
      '4,鹤鸣街道,10,,',
      ',听涛街道,,4,',
    ])
  })
})

describe('validation', () => {
  const day = `from=${utc('2026-11-23T00:00:00')}&to=${utc('2026-11-24T00:00:00')}`
  it.each([
    [`/api/v1/series?metric=traffic.nope&region=fenglin&${day}&step=1h`, 400, 'metric traffic.nope is not in the catalog (see GET /api/v1/metrics)'],
    [`/api/v1/series?region=fenglin&${day}&step=1h`, 400, 'metric'],
    [`/api/v1/series?metric=cases.overdue&region=fenglin&${day}&step=1h`, 400, 'cases.overdue is a current state with no history'],
    [`/api/v1/series?metric=traffic.flow&region=atlantis&${day}&step=1h`, 404, 'region atlantis does not exist'],
    [`/api/v1/series?metric=traffic.flow&region=fenglin&from=2026-11-24T00:00:00Z&to=2026-11-24T00:00:00Z&step=1h`, 400, 'from (2026-11-24T00:00:00Z) must be before to'],
    [`/api/v1/series?metric=traffic.flow&region=fenglin&from=2026-11-23&to=2026-11-24T00:00:00Z&step=1h`, 400, 'querystring/from must be an RFC 3339 date-time with an offset'],
    [`/api/v1/series?metric=traffic.flow&region=fenglin&from=2026-11-23T00:00:00Z&to=tomorrow&step=1h`, 400, 'querystring/to must be an RFC 3339 date-time'],
    [`/api/v1/series?metric=traffic.flow&region=fenglin&${day}&step=2h`, 400, 'querystring/step must be one of 1m, 5m, 15m, 1h, 1d, 1w, 1mo'],
    [`/api/v1/series?metric=traffic.flow&region=fenglin&${day}&step=1h&compare=month`, 400, 'querystring/compare must be one of prev, week, year'],
    [`/api/v1/series?metric=traffic.flow&region=fenglin&${day}&step=1mo&compare=week`, 400, 'compare=week cannot be used with step 1mo'],
    [`/api/v1/series?metric=traffic.flow&region=fenglin&${day}&step=1h&format=xml`, 400, 'querystring/format must be one of json, csv'],
    [`/api/v1/series?metric=traffic.flow&region=fenglin&from=2026-11-20T00:00:00Z&to=2026-11-23T00:00:00Z&step=1m`, 400, 'the range holds 4320 points at step 1m, over the limit of 2000; use a coarser step such as 5m'],
    [`/api/v1/series?metric=traffic.flow&region=fenglin&from=2026-01-01T00:00:00Z&to=2026-03-02T00:00:00Z&step=5m`, 400, 'coarser step such as 1h'],
    [`/api/v1/series?metric=traffic.flow&region=fenglin&from=2016-01-01T00:00:00Z&to=2026-06-01T00:00:00Z&step=1d`, 400, 'coarser step such as 1w'],
    [`/api/v1/series?metric=traffic.flow&region=fenglin&from=1800-01-01T00:00:00Z&to=2026-06-01T00:00:00Z&step=1w`, 400, 'no coarser step fits'],
    [`/api/v1/rankings?metric=traffic.nope&parent=demo&${day}`, 400, 'metric traffic.nope'],
    [`/api/v1/rankings?metric=cases.open&parent=demo&${day}`, 400, 'cases.open'],
    [`/api/v1/rankings?metric=traffic.flow&parent=atlantis&${day}`, 404, 'region atlantis does not exist'],
    [`/api/v1/rankings?metric=traffic.flow&parent=Bad%20Id&${day}`, 400, 'querystring/parent must match pattern'],
    [`/api/v1/rankings?metric=traffic.flow&parent=wanghu-liulin&${day}`, 400, 'parent wanghu-liulin has no child regions'],
    [`/api/v1/rankings?metric=traffic.flow&parent=demo&from=2026-11-24T00:00:00Z&to=2026-11-23T00:00:00Z`, 400, 'from'],
    [`/api/v1/rankings?metric=traffic.flow&parent=demo&from=2026-11-23T00:00:30Z&to=2026-11-24T00:00:00Z`, 400, 'must fall on whole minutes'],
    [`/api/v1/rankings?metric=traffic.flow&parent=demo&${day}&order=up`, 400, 'querystring/order must be one of desc, asc'],
    [`/api/v1/rankings?metric=traffic.flow&parent=demo&from=2025-01-01T00:01:00Z&to=2026-02-05T00:01:00Z&order=asc`, 400, 'spans 400 days at minute resolution, over the limit of 31 days; put from and to on whole hours'],
    [`/api/v1/rankings?metric=traffic.flow&parent=demo&from=2025-01-01T01:00:00Z&to=2026-06-01T01:00:00Z`, 400, 'at hour resolution, over the limit of 400 days'],
  ])('GET %s → %i naming %s', async (url, status, text) => {
    const res = await app.inject(url)
    expect(res.statusCode).toBe(status)
    expect(res.json().message).toContain(text)
  })
})

describe('local calendar buckets', () => {
  it.each([
    { ms: '2026-11-30T23:30:00+08:00', step: '1w', zone: 'Asia/Shanghai', expected: '2026-11-30T00:00:00+08:00' },
    { ms: '2026-11-30T23:30:00+08:00', step: '1mo', zone: 'Asia/Shanghai', expected: '2026-11-01T00:00:00+08:00' },
    { ms: '2026-03-29T12:00:00+02:00', step: '1w', zone: 'Europe/Berlin', expected: '2026-03-23T00:00:00+01:00' },
    { ms: '2026-10-31T12:00:00+01:00', step: '1mo', zone: 'Europe/Berlin', expected: '2026-10-01T00:00:00+02:00' },
  ] as const)('aligns $ms down to its $step in $zone', ({ ms, step, zone, expected }) => {
    expect(new Date(alignDown(Date.parse(ms), step, zone)).toISOString()).toBe(new Date(expected).toISOString())
  })

  it('counts the buckets it walks, across clock changes', () => {
    const from = Date.parse('2026-01-10T05:00:00Z')
    const to = Date.parse('2027-02-03T07:00:00Z')
    for (const step of ['1h', '1d', '1w', '1mo'] as const) {
      expect(countBuckets(from, to, step, 'Europe/Berlin')).toBe(bucketStarts(from, to, step, 'Europe/Berlin').length)
    }
  })

  it('shifts local midnights by calendar units, clamping the day of month', () => {
    const midnight = (s: string) => Date.parse(`${s}T00:00:00+08:00`)
    expect(shiftLocal(midnight('2028-02-29'), { years: -1 }, 'Asia/Shanghai')).toBe(midnight('2027-02-28'))
    expect(shiftLocal(midnight('2027-03-31'), { months: -1 }, 'Asia/Shanghai')).toBe(midnight('2027-02-28'))
    expect(shiftLocal(Date.parse('2026-04-01T00:00:00+02:00'), { days: -7 }, 'Europe/Berlin')).toBe(Date.parse('2026-03-25T00:00:00+01:00'))
  })
})
