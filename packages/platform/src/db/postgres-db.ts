import pg from 'pg'
import type { Db, Queryable } from './db.js'

// Timestamps come back as Date and bigint counts as strings by default; the store reads numbers.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v))

export interface PostgresOptions {
  url: string
  /** @default 10 */
  poolSize?: number
}

/** A PostgreSQL server (with or without TimescaleDB) through a connection pool. */
export async function openPostgresDb({ url, poolSize = 10 }: PostgresOptions): Promise<Db> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize })
  // A server restart or network blip must not crash the process: the ingest rewinds and retries.
  pool.on('error', () => undefined)
  await pool.query('select 1')
  const wrap = (q: pg.Pool | pg.PoolClient): Queryable => ({
    query: async <T>(sql: string, params: readonly unknown[] = []) => {
      const result = await q.query(sql, params as unknown[])
      return { rows: result.rows as T[] }
    },
    exec: async (sql) => {
      await q.query(sql)
    },
  })
  return {
    engine: 'postgres',
    ...wrap(pool),
    async transaction(fn) {
      const client = await pool.connect()
      try {
        await client.query('begin')
        const result = await fn(wrap(client))
        await client.query('commit')
        return result
      } catch (error) {
        await client.query('rollback').catch(() => undefined)
        throw error
      } finally {
        client.release()
      }
    },
    close: () => pool.end(),
  }
}
