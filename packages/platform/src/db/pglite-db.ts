import { mkdirSync } from 'node:fs'
import { PGlite } from '@electric-sql/pglite'
import type { Db, Queryable } from './db.js'

/** Embedded PostgreSQL (WASM) keeping its data in dataDir; `memory://` for a throwaway database. */
export async function openPgliteDb(dataDir: string): Promise<Db> {
  if (!dataDir.startsWith('memory://')) {
    mkdirSync(dataDir, { recursive: true })
  }
  const pg = await PGlite.create(dataDir)
  return wrapPglite(pg, 'pglite')
}

/** Wraps any PGlite instance (also the TimescaleDB-enabled build) as a Db. */
export function wrapPglite(pg: Pick<PGlite, 'query' | 'exec' | 'transaction' | 'close'>, engine: Db['engine']): Db {
  const asQueryable = (q: Pick<PGlite, 'query' | 'exec'>): Queryable => ({
    query: async <T>(sql: string, params: readonly unknown[] = []) => {
      const result = await q.query<T>(sql, params as unknown[])
      return { rows: result.rows }
    },
    exec: async (sql) => {
      await q.exec(sql)
    },
  })
  return {
    engine,
    ...asQueryable(pg),
    transaction: (fn) => pg.transaction((tx) => fn(asQueryable(tx))),
    close: () => pg.close(),
  }
}
