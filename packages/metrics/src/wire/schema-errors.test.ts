import fc from 'fast-check'
import { Compile } from 'typebox/compile'
import { describe, expect, it } from 'vitest'
import { decodeMessage } from './decode.js'
import { isWireMessage } from './is-wire-message.js'
import { parseTimeStrictly } from './parse-time.js'
import { CaseEvent, Reading, WireMessage, type RejectReason, type SourceTopic } from './reading.js'
import { wireSchemaError } from './schema-errors.js'

// The reference: the compiled TypeBox schemas, and the decode that used them before the fast path.
const wireCheck = Compile(WireMessage)
const readingCheck = Compile(Reading)
const caseCheck = Compile(CaseEvent)
const variantChecks = new Map(Reading.anyOf.map((variant) => [`${variant.properties.source.const}/${variant.properties.kind.const}`, Compile(variant)]))

function typeboxError(raw: unknown): string | null {
  const source = (raw as { source?: unknown } | null)?.source
  const check = source === 'events' ? caseCheck : readingCheck
  if (check.Check(raw)) {
    return null
  }
  const { kind } = (raw ?? {}) as { kind?: unknown }
  const first = (variantChecks.get(`${source}/${kind}`) ?? check).Errors(raw)[0] as { instancePath?: string, message?: string } | undefined
  return first ? `${first.instancePath || '/'} ${first.message ?? 'is invalid'}`.trim() : 'does not match wire contract v1'
}

const LIMITS: Record<string, number> = {
  flow: 20_000, speed_kmh: 250, free_flow_kmh: 200, occupied: 100_000, capacity: 100_000,
  pm25: 2_000, pm10: 3_000, so2: 3_000, no2: 4_000, o3: 2_000, co: 200, laeq_db: 140,
}
const SOURCE_TOPIC: Record<string, string> = { traffic: 'city.traffic', environment: 'city.environment', events: 'city.events' }
type Decoded = { ok: true, message: unknown, tsMs: number } | { ok: false, reason: RejectReason, detail: string }

function referenceDecode(topic: SourceTopic | null, bytes: string, nowMs: number): Decoded {
  let raw: unknown
  try {
    raw = JSON.parse(bytes)
  } catch (error) {
    return { ok: false, reason: 'invalid_json', detail: (error as Error).message }
  }
  const detail = typeboxError(raw)
  if (detail !== null) {
    return { ok: false, reason: 'schema', detail }
  }
  const m = raw as { source: string, kind: string, ts: string, deadline?: string, values: Record<string, number> } & Record<string, unknown>
  // PostgreSQL's text holds neither NUL nor unpaired surrogates (encodeURIComponent throws on the latter).
  for (const field of m.kind === 'case' ? ['id', 'case', 'category', 'dept', 'title'] : ['id', 'device']) {
    const text = m[field] as string | undefined
    if (text !== undefined && (text.includes('\0') || !isEncodable(text))) {
      return { ok: false, reason: 'schema', detail: `${field} holds U+0000 or an unpaired surrogate, which no text column can store` }
    }
  }
  if (topic !== null && SOURCE_TOPIC[m.source] !== topic) {
    return { ok: false, reason: 'wrong_topic', detail: `source ${m.source} does not belong on ${topic}` }
  }
  const tsMs = parseTimeStrictly(m.ts)
  if (tsMs === null) {
    return { ok: false, reason: 'bad_timestamp', detail: `ts ${JSON.stringify(m.ts)} is not RFC 3339 with an offset` }
  }
  if (tsMs > nowMs + 300_000) {
    return { ok: false, reason: 'clock_skew', detail: `ts ${m.ts} is ahead of the clock` }
  }
  if (m.kind === 'case') {
    if (m.deadline !== undefined && parseTimeStrictly(m.deadline) === null) {
      return { ok: false, reason: 'bad_timestamp', detail: `deadline ${JSON.stringify(m.deadline)} is not RFC 3339` }
    }
    return { ok: true, message: contractFields(raw, CaseEvent), tsMs }
  }
  // Value fields in the contract's order, whatever order the message has them in.
  const variant = Reading.anyOf.find((r) => r.properties.kind.const === m.kind)!
  for (const [field, value] of Object.keys(variant.properties.values.properties).flatMap((f) => (f in m.values ? [[f, m.values[f]!] as const] : []))) {
    if (value < 0) {
      return { ok: false, reason: 'negative_value', detail: `values.${field} is ${value}` }
    }
    if (!Number.isFinite(value) || value > (LIMITS[field] ?? Infinity)) {
      return { ok: false, reason: 'absurd_value', detail: `values.${field} is ${value}, above ${LIMITS[field]}` }
    }
  }
  if (m.kind === 'segment' && m.values.free_flow_kmh === 0) {
    return { ok: false, reason: 'absurd_value', detail: 'values.free_flow_kmh is 0' }
  }
  if (m.kind === 'parking' && m.values.occupied! > m.values.capacity!) {
    return { ok: false, reason: 'absurd_value', detail: `values.occupied ${m.values.occupied} exceeds capacity ${m.values.capacity}` }
  }
  return { ok: true, message: contractFields(raw, variant), tsMs }
}

function isEncodable(text: string): boolean {
  try {
    encodeURIComponent(text)
    return true
  } catch {
    return false
  }
}

/** The message with only the fields its schema names: a decoded message carries nothing else. */
function contractFields(raw: unknown, schema: { properties: object }): unknown {
  return Object.fromEntries(Object.keys(schema.properties).filter((k) => k in (raw as object)).map((k) => [k, (raw as Record<string, unknown>)[k]]))
}

const NOW = Date.parse('2026-03-01T12:00:00Z')
const TS = '2026-03-01T19:59:00+08:00'
type Json = Record<string, unknown>
const SAMPLES: Json[] = [
  { v: 1, id: 'm-1', source: 'traffic', kind: 'segment', device: 'seg-1', ts: TS, region: 'c1', loc: [120.15, 30.28], values: { flow: 12, speed_kmh: 40, free_flow_kmh: 60 } },
  { v: 1, id: 'm-2', source: 'traffic', kind: 'parking', device: 'lot-1', ts: TS, values: { occupied: 80, capacity: 120 } },
  { v: 1, id: 'm-3', source: 'environment', kind: 'air', device: 'aq-1', ts: TS, values: { pm25: 35, pm10: 50, so2: 10, no2: 40, o3: 100, co: 0.8 } },
  { v: 1, id: 'm-4', source: 'environment', kind: 'noise', device: 'nz-1', ts: TS, values: { laeq_db: 62.5 } },
  {
    v: 1, id: 'e-1', source: 'events', kind: 'case', case: 'case-1', stage: 'dispatched', ts: TS, category: 'garbage', channel: 'hotline',
    dept: 'huanwei', deadline: '2026-03-02T08:00:00+08:00', region: 'c1', loc: [120.15, 30.28], severity: 2, title: '垃圾暴露',
  },
]
const FIELDS = [...new Set(SAMPLES.flatMap((s) => Object.keys(s))), 'extra', 'values', '__proto__']
const VALUE_FIELDS = ['flow', 'speed_kmh', 'free_flow_kmh', 'occupied', 'capacity', 'pm25', 'pm10', 'so2', 'no2', 'o3', 'co', 'laeq_db', 'pm1', 'laeq', 'a/b~c']

// JSON cannot carry ±Infinity, but 1e400 parses to it: these stand-ins become such numbers in the text.
const INF = '\u0000inf'
const NEG_INF = '\u0000-inf'
const edgeString = fc.oneof(
  fc.constantFrom(
    '', 'a', 'c1', '-c1', 'c1-', 'West Lake', 'C1', 'x'.repeat(9), 'x'.repeat(10), 'x'.repeat(40), 'x'.repeat(41), 'x'.repeat(64), 'x'.repeat(65),
    'x'.repeat(128), 'x'.repeat(129), 'x'.repeat(200), 'x'.repeat(201), '😀'.repeat(64), '😀'.repeat(65), '😀'.repeat(101), '\uD800'.repeat(3), 'a\u0000b', '\uDE00\uD83D',
    'traffic', 'environment', 'events', 'weather', 'segment', 'parking', 'air', 'noise', 'case', 'tunnel', 'reported', 'closed', 'archived',
    'hotline', 'camera', 'fax', TS, '2026-03-01T11:59:00', '2026-02-30T10:00:00Z', '2026-03-01T12:05:00.001Z', '2026-03-01T11:59:00.5+08:00',
  ),
  fc.string({ maxLength: 12 }),
)
const edgeNumber = fc.oneof(
  fc.constantFrom(0, -0, 1, 2, 4, 5, 1.5, -1, -0.5, -180, 180, 180.5, -90, 90, 90.5, -91, 120, 140, 141, 250, 300, 20_000, 1e308, INF, NEG_INF),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer({ min: -10, max: 10 }),
)
const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: edgeString },
  { weight: 3, arbitrary: edgeNumber },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, [], {}, ['traffic'], [TS]) },
  { weight: 2, arbitrary: fc.array(edgeNumber, { maxLength: 4 }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
)
const valuesOf = (sample: Json) => ({ ...(sample.values as Json | undefined) })

type Mutation = (m: Json) => void
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.tuple(fc.constantFrom(...FIELDS), anyValue).map(([k, v]): Mutation => (m) => {
    Object.defineProperty(m, k, { value: v, enumerable: true, writable: true, configurable: true })
  }),
  fc.constantFrom(...FIELDS).map((k): Mutation => (m) => {
    delete m[k]
  }),
  fc.tuple(fc.constantFrom(...VALUE_FIELDS), anyValue).map(([k, v]): Mutation => (m) => {
    m.values = { ...valuesOf(m), [k]: v }
  }),
  fc.tuple(fc.constantFrom(...VALUE_FIELDS), edgeNumber).map(([k, v]): Mutation => (m) => {
    m.values = { ...valuesOf(m), [k]: v }
  }),
  fc.constantFrom(...VALUE_FIELDS).map((k): Mutation => (m) => {
    const values = valuesOf(m)
    delete values[k]
    m.values = values
  }),
  fc.tuple(fc.constantFrom('source', 'kind'), fc.constantFrom('traffic', 'environment', 'events', 'segment', 'parking', 'air', 'noise', 'case')).map(([k, v]): Mutation => (m) => {
    m[k] = v
  }),
)
const message = fc.tuple(fc.constantFrom(...SAMPLES), fc.array(mutation, { maxLength: 3 })).map(([sample, mutations]) => {
  const m = structuredClone(sample)
  for (const mutate of mutations) {
    mutate(m)
  }
  return m
})
const toText = (value: unknown) => JSON.stringify(value).replaceAll(`"\\u0000inf"`, '1e400').replaceAll(`"\\u0000-inf"`, '-1e400')
const topic = fc.constantFrom<SourceTopic | null>(null, 'city.traffic', 'city.environment', 'city.events')

describe('isWireMessage and wireSchemaError', () => {
  it('gives TypeBox\'s verdict and first error on valid and broken messages', () => {
    fc.assert(fc.property(message, (m) => {
      const raw: unknown = JSON.parse(toText(m))
      expect(isWireMessage(raw)).toBe(wireCheck.Check(raw))
      expect(wireSchemaError(raw) === null).toBe(wireCheck.Check(raw))
      expect(wireSchemaError(raw)).toBe(typeboxError(raw))
    }), { numRuns: 5000 })
  })

  it('agrees with TypeBox on arbitrary JSON', () => {
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 3 }), (raw) => {
      expect(isWireMessage(raw)).toBe(wireCheck.Check(raw))
      expect(wireSchemaError(raw)).toBe(typeboxError(raw))
    }), { numRuns: 1000 })
  })

  it.each(SAMPLES.map((s) => [`${s.source}/${s.kind}`, s]))('accepts the %s sample', (_, sample) => {
    expect(wireSchemaError(JSON.parse(JSON.stringify(sample)))).toBeNull()
  })

  it.each<[string, unknown]>([
    ['a source that is a one-element array', { ...SAMPLES[2], source: ['environment'] }],
    ['a kind that is a one-element array', { ...SAMPLES[2], kind: ['air'] }],
    ['a value key that needs escaping', { ...SAMPLES[0], values: { flow: 1, speed_kmh: 2, free_flow_kmh: 3, 'a/b~c': 1 } }],
    ['a location with extra and wrong items', { ...SAMPLES[0], loc: ['x', 2, 3] }],
    ['a title of astral characters', { ...SAMPLES[4], title: '😀'.repeat(150) }],
    ['an empty object', {}],
    ['a fractional severity', { ...SAMPLES[4], severity: 2.5 }],
    ['a severity of 0', { ...SAMPLES[4], severity: 0 }],
    ['a location of three numbers', { ...SAMPLES[0], loc: [120, 30, 1] }],
    ['an empty region', { ...SAMPLES[0], region: '' }],
    ['an air reading with an empty values object', { ...SAMPLES[2], values: {} }],
    ['a timestamp of ten code units but five code points', { ...SAMPLES[0], ts: '😀'.repeat(5) }],
    ['a title of 200 code points in 400 code units', { ...SAMPLES[4], title: '😀'.repeat(200) }],
  ])('agrees with TypeBox on %s', (_, raw) => {
    expect(isWireMessage(raw)).toBe(wireCheck.Check(raw))
    expect(wireSchemaError(raw)).toBe(typeboxError(raw))
  })

  it('names no variant for a source without a string form, where TypeBox\'s lookup throws', () => {
    const raw = JSON.parse('{"v":1,"source":{"toString":1},"kind":"air"}') as unknown
    expect(wireSchemaError(raw)).toBe('/ must have required properties id, ts, device, values')
  })
})

describe('decodeMessage', () => {
  it('returns the reason and detail the TypeBox decode returned, for any message on any topic', () => {
    fc.assert(fc.property(topic, message, (t, m) => {
      const text = toText(m)
      expect(decodeMessage(t, text, { nowMs: NOW })).toEqual(referenceDecode(t, text, NOW))
    }), { numRuns: 5000 })
  })
})
