/** The one database interface the ingest and the API use, whatever engine is behind it. */
export interface Queryable {
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<{ rows: T[] }>
  /** Runs a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>
}

export type DbEngine = 'pglite' | 'postgres' | 'timescaledb'

export interface Db extends Queryable {
  /** What the database is; migrate() settles it (TimescaleDB when the extension is installed). */
  engine: DbEngine
  /** Runs fn in one transaction: all of it commits, or none of it. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>
  close(): Promise<void>
}
