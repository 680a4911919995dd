import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeMessage, LIMITS } from './decode.js'
import type { SourceTopic } from './reading.js'
import { READING_KINDS, ScannedReading, scanReading } from './scan-reading.js'

// The reference is decodeMessage (held to the TypeBox schemas by schema-errors.test.ts): wherever the
// scan reads a message, decodeMessage must accept it with the same parts.
const NOW = Date.parse('2026-03-01T12:00:00Z')
const SKEW_MS = 300_000
const TOPIC: Record<string, SourceTopic> = { traffic: 'city.traffic', environment: 'city.environment', events: 'city.events' }

interface Parts {
  kind: string
  id: string
  device: string
  region: string | undefined
  loc: number[] | undefined
  tsMs: number
  values: Record<string, number>
}

/** What the scan read, or null where it declines. */
function scanned(text: string, source: string | null): Parts | null {
  const out = new ScannedReading()
  if (!scanReading(text, source, NOW, SKEW_MS, out)) {
    return null
  }
  const { kind, fields } = READING_KINDS[out.kind]!
  return {
    kind, id: text.slice(out.idStart, out.idEnd), device: text.slice(out.deviceStart, out.deviceEnd),
    region: out.regionStart < 0 ? undefined : text.slice(out.regionStart, out.regionEnd),
    loc: Number.isNaN(out.lon) ? undefined : [out.lon, out.lat], tsMs: out.tsMs,
    values: Object.fromEntries(fields.flatMap((f, j) => (Number.isNaN(out.values[j]!) ? [] : [[f, out.values[j]!]]))),
  }
}

/** What decodeMessage accepts, in the same terms, or null where it rejects the message or it is a work order. */
function decoded(text: string, source: string | null): Parts | null {
  const d = decodeMessage(source === null ? null : TOPIC[source]!, text, { nowMs: NOW, maxSkewMs: SKEW_MS })
  if (!d.ok || d.message.kind === 'case') {
    return null
  }
  const { kind, id, device, region, loc } = d.message
  const values = Object.entries(d.message.values as Record<string, number | undefined>).filter((e): e is [string, number] => e[1] !== undefined)
  return { kind, id, device, region, loc, tsMs: d.tsMs, values: Object.fromEntries(values) }
}

const TS = '2026-03-01T19:59:00+08:00'
const SAMPLES = [
  { v: 1, id: 'm-1', source: 'traffic', kind: 'segment', device: 'seg-1', ts: TS, region: 'c1', loc: [120.15, 30.28], values: { flow: 12, speed_kmh: 40.5, free_flow_kmh: 60 } },
  { v: 1, id: 'm-2', source: 'traffic', kind: 'parking', device: 'lot-1', ts: '2026-03-01T11:59:00.123Z', values: { occupied: 80, capacity: 120 } },
  { v: 1, id: 'm-3', source: 'environment', kind: 'air', device: 'aq-1', ts: TS, values: { pm25: 35, pm10: 50, so2: 10, no2: 40, o3: 100, co: 0.8 } },
  { v: 1, id: 'm-4', source: 'environment', kind: 'noise', device: 'nz-1', ts: TS, loc: [-73.98, -40.5], values: { laeq_db: 62.5 } },
  { v: 1, id: 'm-5', source: 'environment', kind: 'air', device: 'aq-2', ts: TS, region: 'a-very-long-region-id-0', values: { pm10: 0, o3: 0.25 } },
]
const sourceOf = (text: string) => (JSON.parse(text) as { source: string }).source

describe('scanReading', () => {
  it.each(SAMPLES.map((s) => [`${s.kind} ${s.id}`, JSON.stringify(s)]))('reads the %s sample as decodeMessage does', (_, text) => {
    expect(scanned(text, sourceOf(text))).toEqual(decoded(text, sourceOf(text)))
    expect(scanned(text, null)).not.toBeNull()
  })

  // Readings as producers write them: any valid content, compact JSON in the contract's order.
  const plainText = (min: number, max: number) => fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).filter((c) => c !== 0x22 && c !== 0x5c).map((c) => String.fromCharCode(c)), minLength: min, maxLength: max })
  const regionId = fc.tuple(fc.constantFrom(...'abz09'), fc.string({ unit: fc.constantFrom(...'az09-'), maxLength: 63 })).map(([a, b]) => a + b)
  const time = fc.tuple(fc.integer({ min: NOW - 30 * 86_400_000, max: NOW + SKEW_MS }), fc.constantFrom('Z', '+08:00', '-05:30', '+00:00'), fc.integer({ min: 0, max: 9 }))
    .map(([ms, offset, digits]) => {
      const shift = offset === 'Z' ? 0 : (offset.startsWith('-') ? -1 : 1) * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4))) * 60_000
      const local = new Date(ms + shift).toISOString().slice(0, 19)
      const fraction = digits === 0 ? '' : `.${String(ms % 1000).padStart(3, '0')}${'7'.repeat(Math.max(0, digits - 3))}`.slice(0, digits + 1)
      return `${local}${fraction}${offset}`
    })
  /** Decimals of at most 15 digits, as JSON.stringify writes them. */
  const decimal = (max: number) => fc.tuple(fc.integer({ min: 0, max: max * 100 }), fc.constantFrom(1, 10, 100)).map(([n, d]) => Math.min(max, n / d))
  const valuesOf: Record<string, fc.Arbitrary<Record<string, number>>> = {
    segment: fc.record({ flow: decimal(LIMITS.flow!), speed_kmh: decimal(LIMITS.speed_kmh!), free_flow_kmh: decimal(LIMITS.free_flow_kmh!).filter((v) => v > 0) }),
    parking: fc.tuple(decimal(LIMITS.capacity!), decimal(LIMITS.capacity!)).map(([a, b]) => ({ occupied: Math.min(a, b), capacity: Math.max(a, b) })),
    air: fc.record({ pm25: decimal(LIMITS.pm25!), pm10: decimal(LIMITS.pm10!), so2: decimal(LIMITS.so2!), no2: decimal(LIMITS.no2!), o3: decimal(LIMITS.o3!), co: decimal(LIMITS.co!) }, { requiredKeys: [] })
      .filter((v) => Object.keys(v).length > 0),
    noise: fc.record({ laeq_db: decimal(LIMITS.laeq_db!) }),
  }
  const reading = fc.constantFrom(...READING_KINDS).chain(({ kind, source }) => fc.record({
    v: fc.constant(1), id: plainText(1, 128), source: fc.constant(source), kind: fc.constant(kind), device: plainText(1, 40), ts: time,
    region: fc.option(regionId, { nil: undefined }),
    loc: fc.option(fc.tuple(fc.double({ min: -180, max: 180, noNaN: true }), fc.double({ min: -90, max: 90, noNaN: true })), { nil: undefined }),
    values: valuesOf[kind]!,
  }, { requiredKeys: ['v', 'id', 'source', 'kind', 'device', 'ts', 'values'] }))
  const canonical = reading.map((m) => JSON.stringify(m))

  it('reads every reading in the producers\' spelling, with decodeMessage\'s parts (loc in any spelling JSON.stringify gives a double)', () => {
    fc.assert(fc.property(canonical, (text) => {
      const expected = decoded(text, sourceOf(text))
      const actual = scanned(text, sourceOf(text))
      expect(expected).not.toBeNull()
      // A loc JSON.stringify writes with an exponent or 16 digits or more is left to decodeMessage.
      const locText = /"loc":\[([^\]]*)\]/.exec(text)?.[1] ?? ''
      if (/[eE]|\d{16}/.test(locText.replaceAll('.', ''))) {
        expect(actual).toBeNull()
      } else {
        expect(actual).toEqual(expected)
      }
    }), { numRuns: 3000 })
  })

  // Anything else: characters changed, added and removed, other spellings of the same message.
  const jsonish = fc.constantFrom(...'"{}[]:,\\ .-+eE0159azZT\u0000\t\u00e9\ud800', '\\u0073', '\\"', '1e2', '0.', '.5', '00', '-0', '1234567890123456', 'null', 'true')
  const edit = fc.tuple(fc.nat(), fc.integer({ min: 0, max: 3 }), jsonish).map(([at, remove, insert]) => (text: string) => {
    const i = at % (text.length + 1)
    return text.slice(0, i) + insert + text.slice(i + remove)
  })
  const respelled = fc.constantFrom(
    (text: string) => JSON.stringify(JSON.parse(text), null, 1),
    (text: string) => text.replace('"values"', '"zz":1,"values"'),
    (text: string) => text.replace(/"id":"([^"]*)"/, (_, id: string) => `"id":"${id}","id":"${id}x"`),
    (text: string) => text.replace(/("kind":"[^"]*"),("device":"[^"]*")/, '$2,$1'),
    (text: string) => text.replace(/:(\d+)([,}])/, ':$1.0$2'),
    (text: string) => text.replace(/:(\d+)([,}])/, ':$1e0$2'),
    (text: string) => text.replace(/:(\d+)([,}])/, ':-$1$2'),
    (text: string) => text.replace(/:(\d+)([,}])/, ':1e999$2'),
    (text: string) => text.replace('"v":1', '"v":1.0'),
    (text: string) => text.replace('"region":"', '"region":"A'),
    (text: string) => text.replace(/"ts":"[^"]*"/, '"ts":"2026-02-30T10:00:00Z"'),
    (text: string) => text.replace(/"ts":"[^"]*"/, '"ts":"2026-03-01T12:06:00Z"'),
    (text: string) => text.replace(/"ts":"[^"]*"/, '"ts":"2026-03-01T12:00:00.0000000001Z"'),
    (text: string) => text.replace(/\}\}$/, ',"extra":1}}'),
    (text: string) => text.replace(/\}\}$/, '}}\n'),
  )
  const mutated = fc.tuple(canonical, fc.array(edit, { minLength: 1, maxLength: 3 }), respelled, fc.boolean())
    .map(([text, edits, respell, both]) => (both ? edits.reduce((t, e) => e(t), respell(text)) : edits.reduce((t, e) => e(t), text)))
  const source = fc.constantFrom<string | null>(null, 'traffic', 'environment', 'events')

  it('declines whatever decodeMessage would not read the same way', () => {
    fc.assert(fc.property(fc.oneof(mutated, canonical.chain((t) => respelled.map((r) => r(t)))), source, (text, s) => {
      const actual = scanned(text, s)
      if (actual !== null) {
        expect(actual).toEqual(decoded(text, s))
      }
    }), { numRuns: 20_000 })
  })

  it.each<[string, string, string | null]>([
    ['a value with an exponent', '{"v":1,"id":"a","source":"environment","kind":"noise","device":"n","ts":"2026-03-01T12:00:00Z","values":{"laeq_db":5e1}}', null],
    ['a value of 16 digits', '{"v":1,"id":"a","source":"environment","kind":"noise","device":"n","ts":"2026-03-01T12:00:00Z","values":{"laeq_db":50.00000000000001}}', null],
    ['an escaped id', '{"v":1,"id":"\\u0061","source":"environment","kind":"noise","device":"n","ts":"2026-03-01T12:00:00Z","values":{"laeq_db":50}}', null],
    ['spaces', '{"v":1, "id":"a","source":"environment","kind":"noise","device":"n","ts":"2026-03-01T12:00:00Z","values":{"laeq_db":50}}', null],
    ['values out of order', '{"v":1,"id":"a","source":"traffic","kind":"parking","device":"p","ts":"2026-03-01T12:00:00Z","values":{"capacity":9,"occupied":1}}', null],
    ['a non-ASCII device', '{"v":1,"id":"a","source":"environment","kind":"noise","device":"噪声-1","ts":"2026-03-01T12:00:00Z","values":{"laeq_db":50}}', null],
    ['a leading zero', '{"v":1,"id":"a","source":"environment","kind":"noise","device":"n","ts":"2026-03-01T12:00:00Z","values":{"laeq_db":050}}', null],
    ['a value above its limit', '{"v":1,"id":"a","source":"environment","kind":"noise","device":"n","ts":"2026-03-01T12:00:00Z","values":{"laeq_db":140.5}}', null],
    ['more cars than spaces', '{"v":1,"id":"a","source":"traffic","kind":"parking","device":"p","ts":"2026-03-01T12:00:00Z","values":{"occupied":10,"capacity":9}}', null],
    ['a time ahead of the clock', '{"v":1,"id":"a","source":"environment","kind":"noise","device":"n","ts":"2026-03-01T12:05:00.001Z","values":{"laeq_db":50}}', null],
    ['a day February does not have', '{"v":1,"id":"a","source":"environment","kind":"noise","device":"n","ts":"2026-02-30T12:00:00Z","values":{"laeq_db":50}}', null],
    ['an environment reading on the traffic topic', '{"v":1,"id":"a","source":"environment","kind":"noise","device":"n","ts":"2026-03-01T12:00:00Z","values":{"laeq_db":50}}', 'traffic'],
    ['a work order', '{"v":1,"id":"e","source":"events","kind":"case","case":"c","stage":"reported","ts":"2026-03-01T12:00:00Z","category":"x","channel":"app","severity":1,"title":"t"}', null],
  ])('declines %s', (_, text, source) => {
    expect(scanned(text, source)).toBeNull()
    // Each differs from a reading the scan reads in that one respect.
    const plain = text.replaceAll('5e1', '50').replaceAll('50.00000000000001', '50').replace('\\u0061', 'a').replace(', ', ',').replace('"capacity":9,"occupied":1', '"occupied":1,"capacity":9')
      .replace('噪声-1', 'n').replace('050', '50').replace('140.5', '140').replace('"occupied":10', '"occupied":9').replace('12:05:00.001', '12:05:00.000').replace('02-30', '03-01')
    expect(scanned(plain, source === null ? null : 'environment')).toEqual(text.includes('"case"') ? null : decoded(plain, null))
    expect(text.includes('"case"') || scanned(plain, null) !== null).toBe(true)
  })
})
