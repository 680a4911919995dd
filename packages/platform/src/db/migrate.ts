import { readdirSync, readFileSync } from 'node:fs'
import type { Db } from './db.js'

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
  await db.query(`create table if not exists schema_migrations (name text primary key, applied_at timestamptz not null default now())`)
  const { rows } = await db.query<{ name: string }>('select name from schema_migrations')
  const done = new Set(rows.map((r) => r.name))
  const applied: string[] = []
  for (const name of readdirSync(MIGRATIONS_DIR).filter((f) => f.endsWith('.sql')).sort()) {
    if (done.has(name) || (TIMESCALE_ONLY.test(name) && db.engine !== 'timescaledb')) {
      continue
    }
    const sql = readFileSync(new URL(name, MIGRATIONS_DIR), 'utf8')
    await db.transaction(async (tx) => {
      await tx.exec(sql)
      await tx.query('insert into schema_migrations (name) values ($1)', [name])
    })
    applied.push(name)
  }
  return applied
}

async function detectEngine(db: Db, useTimescale: boolean): Promise<Db['engine']> {
  const installed = async () => (await db.query<{ n: number }>(`select count(*)::int as n from pg_extension where extname = 'timescaledb'`)).rows[0]!.n > 0
  if (useTimescale && !(await installed())) {
    const { rows } = await db.query<{ n: number }>(`select count(*)::int as n from pg_available_extensions where name = 'timescaledb'`)
    if (rows[0]!.n > 0) {
      await db.exec('create extension if not exists timescaledb')
    }
  }
  if (await installed()) {
    return 'timescaledb'
  }
  return db.engine === 'pglite' ? 'pglite' : 'postgres'
}
