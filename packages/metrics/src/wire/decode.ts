import { readWireMessage } from './is-wire-message.js'
import { parseTime } from './parse-time.js'
import type { Reading, RejectReason, SourceTopic, WireMessage } from './reading.js'
import { wireSchemaError } from './schema-errors.js'

export { parseTime } from './parse-time.js'

export type Decoded =
  | { ok: true, message: WireMessage, tsMs: number }
  | { ok: false, reason: RejectReason, detail: string }

export interface DecodeOptions {
  /** Wall-clock now, for the skew check. */
  nowMs: number
  /** How far in the future an event time may be. @default 300000 (5 min) */
  maxSkewMs?: number
}

/** Upper bounds beyond which a value is a broken sensor, not the city. */
export const LIMITS: Record<string, number> = {
  flow: 20_000, speed_kmh: 250, free_flow_kmh: 200, occupied: 100_000, capacity: 100_000,
  pm25: 2_000, pm10: 3_000, so2: 3_000, no2: 4_000, o3: 2_000, co: 200, laeq_db: 140,
}

const SOURCE_TOPIC = { traffic: 'city.traffic', environment: 'city.environment', events: 'city.events' } as const

/**
 * Parses and validates one message from a source topic (or, with topic null, from a file where the
 * message's own `source` decides): the message, or the reason it is rejected.
 */
export function decodeMessage(topic: SourceTopic | null, bytes: string, options: DecodeOptions): Decoded {
  let raw: unknown
  try {
    raw = JSON.parse(bytes)
  } catch (error) {
    return { ok: false, reason: 'invalid_json', detail: (error as Error).message }
  }
  // The TypeBox schemas are the contract; these two give their verdict and their first error, faster
  // (schema-errors.test.ts holds them to TypeBox on valid and broken messages).
  const message = readWireMessage(raw)
  if (message === undefined) {
    return { ok: false, reason: 'schema', detail: wireSchemaError(raw) ?? 'does not match wire contract v1' }
  }
  const unstorable = unstorableText(message)
  if (unstorable !== undefined) {
    return { ok: false, reason: 'schema', detail: `${unstorable} holds U+0000 or an unpaired surrogate, which no text column can store` }
  }
  if (topic !== null && SOURCE_TOPIC[message.source] !== topic) {
    return { ok: false, reason: 'wrong_topic', detail: `source ${message.source} does not belong on ${topic}` }
  }
  const tsMs = parseTime(message.ts)
  if (tsMs === null) {
    return { ok: false, reason: 'bad_timestamp', detail: `ts ${JSON.stringify(message.ts)} is not RFC 3339 with an offset` }
  }
  if (tsMs > options.nowMs + (options.maxSkewMs ?? 300_000)) {
    return { ok: false, reason: 'clock_skew', detail: `ts ${message.ts} is ahead of the clock` }
  }
  if (message.kind === 'case') {
    if (message.deadline !== undefined && parseTime(message.deadline) === null) {
      return { ok: false, reason: 'bad_timestamp', detail: `deadline ${JSON.stringify(message.deadline)} is not RFC 3339` }
    }
    return { ok: true, message, tsMs }
  }
  return checkValues(message) ?? { ok: true, message, tsMs }
}

/**
 * The first text field that PostgreSQL could not store (its text type holds neither U+0000 nor unpaired
 * surrogates): JSON carries both, and one such message would fail every commit of its batch, again
 * after each restart, and stall its partition.
 */
function unstorableText(m: WireMessage): string | undefined {
  if (!isStorable(m.id)) {
    return 'id'
  }
  if (m.kind !== 'case') {
    return isStorable(m.device) ? undefined : 'device'
  }
  return CASE_TEXTS.find((name) => !isStorable(m[name]))
}

const CASE_TEXTS = ['case', 'category', 'dept', 'title'] as const

function isStorable(text: string | undefined): boolean {
  // isWellFormed: no unpaired surrogate (and free for a one-byte string, which cannot hold one).
  return text === undefined || (text.isWellFormed() && !text.includes('\0'))
}

/** Values beyond what the city can measure, field by field in the contract's order. */
function checkValues(message: Reading): Decoded | undefined {
  const values = message.values as Record<string, number | undefined>
  for (const field in values) {
    const value = values[field]
    if (value === undefined) {
      continue
    }
    if (value < 0) {
      return { ok: false, reason: 'negative_value', detail: `values.${field} is ${value}` }
    }
    if (!Number.isFinite(value) || value > (LIMITS[field] ?? Infinity)) {
      return { ok: false, reason: 'absurd_value', detail: `values.${field} is ${value}, above ${LIMITS[field]}` }
    }
  }
  if (message.kind === 'segment' && message.values.free_flow_kmh === 0) {
    return { ok: false, reason: 'absurd_value', detail: 'values.free_flow_kmh is 0' }
  }
  if (message.kind === 'parking' && message.values.occupied > message.values.capacity) {
    return { ok: false, reason: 'absurd_value', detail: `values.occupied ${message.values.occupied} exceeds capacity ${message.values.capacity}` }
  }
  return undefined
}
