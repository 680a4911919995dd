import { readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { migrate, openPostgresDb } from '@city/platform'
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
