import { readdirSync, readFileSync } from 'node:fs'
import type { Db } from './db.js'

const MIGRATIONS_DIR = new URL('./migrations/', import.meta.url)

/** Applies the SQL files in migrations/ that this database has not seen, in name order. */
export async function migrate(db: Db): Promise<string[]> {
  await db.query(`create table if not exists schema_migrations (name text primary key, applied_at timestamptz not null default now())`)
  const { rows } = await db.query<{ name: string }>('select name from schema_migrations')
  const done = new Set(rows.map((r) => r.name))
  const applied: string[] = []
  for (const name of readdirSync(MIGRATIONS_DIR).filter((f) => f.endsWith('.sql')).sort()) {
    if (done.has(name)) {
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
