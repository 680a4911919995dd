import Type from 'typebox'
import { Compile } from 'typebox/compile'
import { Value } from 'typebox/value'

export const ROLES = ['simulator', 'ingest', 'api'] as const
export type Role = (typeof ROLES)[number]

const Env = Type.Object({
  ROLES: Type.String({ default: 'simulator,ingest,api', pattern: '^(simulator|ingest|api)(,(simulator|ingest|api))*$' }),
  PORT: Type.Integer({ default: 8080, minimum: 0, maximum: 65535 }),
  HOST: Type.String({ default: '0.0.0.0' }),
  DATA_DIR: Type.String({ default: './data', minLength: 1 }),
  DATABASE_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
  DATABASE_POOL_SIZE: Type.Integer({ default: 10, minimum: 1 }),
  KAFKA_BROKERS: Type.Optional(Type.String({ pattern: '^[^,\\s]+(,[^,\\s]+)*$' })),
  KAFKA_TOPIC_PREFIX: Type.String({ default: 'city.', minLength: 1 }),
  KAFKA_PARTITIONS: Type.Integer({ default: 6, minimum: 1 }),
  KAFKA_GROUP: Type.String({ default: 'city-ingest', minLength: 1 }),
  KAFKA_CLIENT_ID: Type.String({ default: 'city', minLength: 1 }),
  METRICS_PORT: Type.Integer({ default: 9464, minimum: 0, maximum: 65535 }),
  REDIS_URL: Type.Optional(Type.String({ pattern: '^rediss?://' })),
  TIME_ZONE: Type.String({ default: 'Asia/Shanghai' }),
  REGIONS_FILE: Type.Optional(Type.String()),
  DEVICES_FILE: Type.Optional(Type.String()),
  FLUSH_INTERVAL_MS: Type.Integer({ default: 1000, minimum: 50 }),
  ALLOWED_LATENESS_H: Type.Number({ default: 24, minimum: 0 }),
  MAX_CLOCK_SKEW_S: Type.Integer({ default: 300, minimum: 0 }),
  DEDUPE_WINDOW_MIN: Type.Number({ default: 60, minimum: 0 }),
  TIMESCALEDB: Type.Union([Type.Literal('auto'), Type.Literal('off')], { default: 'auto' }),
  RETENTION_1M_DAYS: Type.Integer({ default: 90, minimum: 1 }),
  RETENTION_1H_DAYS: Type.Integer({ default: 1095, minimum: 1 }),
  RETENTION_1D_DAYS: Type.Integer({ default: 0, minimum: 0, description: '0 keeps daily rollups forever' }),
  COMPRESS_AFTER_DAYS: Type.Integer({ default: 7, minimum: 1 }),
  STALE_AFTER_S: Type.Integer({ default: 180, minimum: 10 }),
  SIM_SEED: Type.Integer({ default: 1 }),
  SIM_SPEED: Type.Number({ default: 600, minimum: 1 }),
  SIM_BACKFILL_MINUTES: Type.Integer({ default: 90, minimum: 0 }),
  SIM_REPORT_INTERVAL_S: Type.Integer({ default: 30, minimum: 1 }),
  SIM_CASES_PER_HOUR: Type.Number({ default: 120, minimum: 0 }),
  SIM_BAD_SHARE: Type.Number({ default: 0.005, minimum: 0, maximum: 1 }),
  // Live push: see live.ts.
  MAX_CLIENTS_PER_NODE: Type.Integer({ default: 5000, minimum: 1 }),
  LIVE_TICK_MS: Type.Integer({ default: 1000, minimum: 50 }),
  LOG_LEVEL: Type.Union([Type.Literal('debug'), Type.Literal('info'), Type.Literal('warn'), Type.Literal('error')], { default: 'info' }),
})
type Env = Type.Static<typeof Env>

const check = Compile(Env)

export interface Config extends Omit<Env, 'ROLES'> {
  roles: ReadonlySet<Role>
}

/** Reads and validates the environment; fails fast with the variable's name. */
export function loadConfig(env: Record<string, string | undefined>): Readonly<Config> {
  const known = Object.fromEntries(Object.keys(Env.properties).filter((k) => env[k] !== undefined && env[k] !== '').map((k) => [k, env[k]]))
  const value = Value.Convert(Env, Value.Default(Env, known)) as Env
  const errors = check.Errors(value)
  if (errors.length > 0) {
    const first = errors[0] as { instancePath?: string, message?: string }
    throw new Error(`invalid configuration: ${first.instancePath?.replace('/', '') ?? ''} ${first.message ?? ''}`.trim())
  }
  const { ROLES: roles, ...rest } = value
  const roleSet = new Set(roles.split(',') as Role[])
  if (!rest.KAFKA_BROKERS && roleSet.has('simulator') !== roleSet.has('ingest')) {
    throw new Error('without KAFKA_BROKERS the simulator and the ingest share the in-process log: run them in one process')
  }
  const simulatorOnly = roleSet.size === 1 && roleSet.has('simulator')
  if (!rest.DATABASE_URL && roleSet.size < ROLES.length && !simulatorOnly) {
    throw new Error('embedded mode (no DATABASE_URL) runs all roles in one process; unset ROLES or set DATABASE_URL')
  }
  return Object.freeze({ ...rest, roles: roleSet })
}
