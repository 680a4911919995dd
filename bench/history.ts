/**
 * History queries against real PostgreSQL: the demo city backfilled for DAYS days through `replayFile`,
 * then p50/p95 of the API's series and rankings, side by side with what a Grafana-on-PostgreSQL setup
 * does on the same data: a raw readings table grouped at query time.
 * Usage: pnpm bench:history [days=30] [reportIntervalS=300]; KEEP=1 keeps the database (its name is printed) to look at.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { buildApp } from '@city/api'
import { createStreamGenerator, loadDemoCity } from '@city/demo-city'
import { replayFile } from '@city/ingest'
import { localDayStart, loadRegionTree } from '@city/metrics'
import { createMemoryPubSub, migrate, openPostgresDb } from '@city/platform'

const days = Number(process.argv[2] ?? 30)
const reportIntervalS = Number(process.argv[3] ?? 300)
const ADMIN = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const name = `city_bench_${Date.now()}`
const { regions, devices } = loadDemoCity()
const tree = loadRegionTree(regions)
const END = localDayStart(Date.parse('2026-11-23T12:00:00+08:00'), 'Asia/Shanghai')
const START = END - days * 86_400_000

const admin = new pg.Client({ connectionString: ADMIN })
await admin.connect()
await admin.query(`create database ${name}`)
const url = new URL(ADMIN)
url.pathname = `/${name}`
const db = await openPostgresDb({ url: url.toString(), poolSize: 4 })
await migrate(db)
await db.query(`create table raw_readings (ts timestamptz not null, device text not null, leaf text not null, metric text not null, value float8 not null, weight float8 not null)`)
await db.query(`create table region_leaves (region text not null, leaf text not null)`)
// Which leaves make up each region: what a Grafana setup joins to filter raw readings by region.
await db.query(`insert into region_leaves select r, l from unnest($1::text[], $2::text[]) as x(r, l)`, [
  tree.leaves().flatMap((l) => l.lineage),
  tree.leaves().flatMap((l) => l.lineage.map(() => l.id)),
])
console.log(`backfilling ${days} days (devices report every ${reportIntervalS} s) into PostgreSQL on ${cpus().length}× ${cpus()[0]?.model}`)

const deviceRegion = new Map(devices.map((d) => [d.id, d.region]))
const generator = createStreamGenerator({ devices, regions: tree, seed: 9, reportIntervalS, badShare: 0 })
const dir = mkdtempSync(join(tmpdir(), 'city-bench-'))
let messages = 0
let replaySeconds = 0
for (let day = START; day < END; day += 86_400_000) {
  const batch = generator.generate(day, day + 86_400_000)
  const file = join(dir, `${day}.ndjson`)
  writeFileSync(file, batch.map((m) => m.value).join('\n') + '\n')
  const t = performance.now()
  await replayFile({ db, tree, devices, path: file, now: () => END + 86_400_000, batchRecords: 20_000 })
  replaySeconds += (performance.now() - t) / 1000
  messages += batch.length
  await insertRaw(batch.map((m) => JSON.parse(m.value)))
  rmSync(file)
}
await db.query('analyze')
console.log(`replay into PostgreSQL: ${messages.toLocaleString('en')} messages in ${replaySeconds.toFixed(0)} s = ${Math.round(messages / replaySeconds).toLocaleString('en')} msg/s`)
const sizes = await db.query<{ t: string, size: string, rows: number }>(`select relname as t, pg_size_pretty(pg_total_relation_size(oid)) as size, reltuples::bigint as rows from pg_class where relname in ('agg_1m_cells','agg_1h_cells','agg_1d_cells','raw_readings') order by relname`)
console.log(sizes.rows.map((r) => `${r.t}: ${Number(r.rows).toLocaleString('en')} rows, ${r.size}`).join('; '))

/** The baseline's raw table: one row per metric reading, with the device's leaf region. */
async function insertRaw(batch: { kind: string, device?: string, ts: string, values?: Record<string, number>, region?: string }[]) {
  const rows: [string, string, string, string, number, number][] = []
  for (const m of batch) {
    if (m.kind !== 'segment' || !m.values) {
      continue
    }
    const leaf = m.region ?? deviceRegion.get(m.device!)
    if (!leaf) {
      continue
    }
    const v = m.values
    rows.push([m.ts, m.device!, leaf, 'traffic.tti', v.free_flow_kmh! / Math.max(v.speed_kmh!, 1), v.flow!])
    rows.push([m.ts, m.device!, leaf, 'traffic.flow', v.flow!, 1])
  }
  for (let i = 0; i < rows.length; i += 20_000) {
    const chunk = rows.slice(i, i + 20_000)
    await db.query(`insert into raw_readings select * from unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::float8[], $6::float8[])`,
      [0, 1, 2, 3, 4, 5].map((c) => chunk.map((r) => r[c])))
  }
}

await db.query('create index on raw_readings (metric, ts)')
await db.query('create index on region_leaves (region)')
await db.query('analyze')

const app = await buildApp({ context: { db, pubsub: createMemoryPubSub(), tree, timeZone: 'Asia/Shanghai', staleAfterMs: 180_000, now: () => END } })
const district = tree.root.children[0]!
const iso = (ms: number) => new Date(ms).toISOString()

async function latency(label: string, runs: number, fn: () => Promise<unknown>) {
  await fn()
  const times: number[] = []
  for (let i = 0; i < runs; i++) {
    const t = performance.now()
    await fn()
    times.push(performance.now() - t)
  }
  times.sort((a, b) => a - b)
  const p = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!
  console.log(`${label.padEnd(58)} p50 ${p(0.5).toFixed(1).padStart(7)} ms   p95 ${p(0.95).toFixed(1).padStart(7)} ms`)
  return { p50: p(0.5), p95: p(0.95) }
}

const RUNS = 40
const from30 = END - 30 * 86_400_000
const series = await latency(`API series: ${district} TTI, 30 days hourly`, RUNS, async () => {
  const res = await app.inject(`/api/v1/series?metric=traffic.tti&region=${district}&from=${iso(from30)}&to=${iso(END)}&step=1h`)
  if (res.statusCode !== 200) {
    throw new Error(res.body)
  }
})
const baseSeries = await latency('baseline: raw GROUP BY hour, same series', Math.ceil(RUNS / 4), () => db.query(
  `select date_bin('1 hour', r.ts, timestamptz 'epoch') as b, sum(r.value * r.weight) / nullif(sum(r.weight), 0)
   from raw_readings r join region_leaves l on l.leaf = r.leaf
   where l.region = $1 and r.metric = 'traffic.tti' and r.ts >= $2 and r.ts < $3 group by b order by b`, [district, iso(from30), iso(END)]))
const from7 = END - 7 * 86_400_000
const rankings = await latency(`API rankings: ${district}'s streets by TTI, 7 days`, RUNS, async () => {
  const res = await app.inject(`/api/v1/rankings?metric=traffic.tti&parent=${district}&from=${iso(from7)}&to=${iso(END)}`)
  if (res.statusCode !== 200) {
    throw new Error(res.body)
  }
})
const baseRankings = await latency('baseline: raw GROUP BY street, 7 days + previous 7', Math.ceil(RUNS / 4), () => db.query(
  `select l.region, sum(r.value * r.weight) filter (where r.ts >= $2) / nullif(sum(r.weight) filter (where r.ts >= $2), 0) as now,
          sum(r.value * r.weight) filter (where r.ts < $2) / nullif(sum(r.weight) filter (where r.ts < $2), 0) as before
   from raw_readings r join region_leaves l on l.leaf = r.leaf
   where l.region = any($1::text[]) and r.metric = 'traffic.tti' and r.ts >= $3 and r.ts < $4 group by l.region`,
  [tree.get(district)!.children, iso(from7), iso(from7 - 7 * 86_400_000), iso(END)]))
console.log(`speed-up vs raw GROUP BY (p50): series ${(baseSeries.p50 / series.p50).toFixed(0)}×, rankings ${(baseRankings.p50 / rankings.p50).toFixed(0)}×`)
console.log(`targets: series p95 ≤ 50 ms → ${series.p95 <= 50 ? 'met' : 'MISSED'}; rankings p95 ≤ 100 ms → ${rankings.p95 <= 100 ? 'met' : 'MISSED'}; ≥ 20× → ${Math.min(baseSeries.p50 / series.p50, baseRankings.p50 / rankings.p50) >= 20 ? 'met' : 'MISSED'}`)

await app.close()
await db.close()
if (process.env.KEEP) {
  console.log(`kept database ${name}`)
} else {
  await admin.query(`drop database ${name} with (force)`)
}
await admin.end()
