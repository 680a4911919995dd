import { readdirSync, readFileSync } from 'node:fs'
import type { Db, Queryable } from './db.js'

const MIGRATIONS_DIR = new URL('./migrations/', import.meta.url)
/** Files named *.timescale.sql run only where the TimescaleDB extension is installed. */
const TIMESCALE_ONLY = /\.timescale\.sql$/

export interface MigrateOptions {
  /** Install TimescaleDB when the server offers it. @default true */
  useTimescale?: boolean
}

/**
 * Installs TimescaleDB when available (and wanted), then applies the SQL files in migrations/ that this
 * database has not seen, in name order. Sets db.engine to what the database turned out to be.
 */
export async function migrate(db: Db, options: MigrateOptions = {}): Promise<string[]> {
  db.engine = await detectEngine(db, options.useTimescale ?? true)
  await exclusively(db, (tx) => tx.query(`create table if not exists schema_migrations (name text primary key, applied_at timestamptz not null default now())`))
  const applied: string[] = []
  for (const name of readdirSync(MIGRATIONS_DIR).filter((f) => f.endsWith('.sql')).sort()) {
    if (TIMESCALE_ONLY.test(name) && db.engine !== 'timescaledb') {
      continue
    }
    const sql = readFileSync(new URL(name, MIGRATIONS_DIR), 'utf8')
    const isNew = await exclusively(db, async (tx) => {
      if ((await tx.query('select 1 from schema_migrations where name = $1', [name])).rows.length > 0) {
        return false
      }
      await tx.exec(sql)
      await tx.query('insert into schema_migrations (name) values ($1)', [name])
      return true
    })
    if (isNew) {
      applied.push(name)
    }
  }
  return applied
}

/**
 * fn in a transaction that no other migrate() runs beside: the roles of a deployment start together on
 * a fresh database, and two concurrent `create table if not exists` of one table fail in PostgreSQL
 * (a duplicate key in its catalog) instead of waiting for each other.
 */
function exclusively<T>(db: Db, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.query(`select pg_advisory_xact_lock(hashtext('city.migrate'))`)
    return fn(tx)
  })
}

async function detectEngine(db: Db, useTimescale: boolean): Promise<Db['engine']> {
  const installed = async () => (await db.query<{ n: number }>(`select count(*)::int as n from pg_extension where extname = 'timescaledb'`)).rows[0]!.n > 0
  if (useTimescale && !(await installed())) {
    const { rows } = await db.query<{ n: number }>(`select count(*)::int as n from pg_available_extensions where name = 'timescaledb'`)
    if (rows[0]!.n > 0) {
      await exclusively(db, (tx) => tx.exec('create extension if not exists timescaledb'))
    }
  }
  if (await installed()) {
    return 'timescaledb'
  }
  return db.engine === 'pglite' ? 'pglite' : 'postgres'
}
