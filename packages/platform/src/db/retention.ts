import type { Db } from './db.js'

/** How long rollups are kept and when TimescaleDB compresses them; null keeps forever. */
export interface RetentionPolicy {
  /** @default 90 */
  minuteDays: number | null
  /** @default 1095 (3 years) */
  hourDays: number | null
  /** @default null (forever) */
  dayDays: number | null
  /** Compress chunks older than this (TimescaleDB); beyond the allowed lateness. @default 7 */
  compressAfterDays: number
}

export const DEFAULT_RETENTION: RetentionPolicy = { minuteDays: 90, hourDays: 1095, dayDays: null, compressAfterDays: 7 }

// The stored cells under the agg_1m, agg_1h and agg_1d views (migration 009).
const TABLES = [['agg_1m_cells', 'minuteDays'], ['agg_1h_cells', 'hourDays'], ['agg_1d_cells', 'dayDays']] as const

/**
 * TimescaleDB: (re)installs compression and retention policies, idempotently. Other engines have no
 * background jobs; pruneExpired() does their retention.
 */
export async function applyRetention(db: Db, policy: RetentionPolicy = DEFAULT_RETENTION): Promise<void> {
  if (db.engine !== 'timescaledb') {
    return
  }
  for (const [table, key] of TABLES) {
    await db.query(`select remove_retention_policy($1::regclass, if_exists => true)`, [table])
    const days = policy[key]
    if (days !== null) {
      await db.query(`select add_retention_policy($1::regclass, make_interval(days => $2::int))`, [table, days])
    }
    if (table !== 'agg_1d_cells') {
      await db.query(`select remove_compression_policy($1::regclass, if_exists => true)`, [table])
      await db.query(`select add_compression_policy($1::regclass, make_interval(days => $2::int))`, [table, policy.compressAfterDays])
    }
  }
}

/** Deletes rollups past their retention (PostgreSQL and PGlite; TimescaleDB drops whole chunks itself). */
export async function pruneExpired(db: Db, nowMs: number, policy: RetentionPolicy = DEFAULT_RETENTION): Promise<void> {
  if (db.engine === 'timescaledb') {
    return
  }
  for (const [table, key] of TABLES) {
    const days = policy[key]
    if (days !== null) {
      await db.query(`delete from ${table} where bucket < to_timestamp($1::float8 / 1000.0)`, [nowMs - days * 86_400_000])
    }
  }
}
