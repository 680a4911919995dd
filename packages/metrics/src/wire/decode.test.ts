import { describe, expect, it } from 'vitest'
import { decodeMessage, parseTime } from './decode.js'
import type { RejectReason, SourceTopic } from './reading.js'

const NOW = Date.parse('2026-03-01T12:00:00Z')
const TS = '2026-03-01T19:59:00+08:00'
const TS_MS = Date.parse('2026-03-01T11:59:00Z')

type Json = Record<string, unknown>

const makeSegment = (values: Json = {}, overrides: Json = {}): Json => ({
  v: 1, id: 'm-1', source: 'traffic', kind: 'segment', device: 'seg-1', ts: TS, region: 'c1', loc: [120.15, 30.28],
  values: { flow: 12, speed_kmh: 40, free_flow_kmh: 60, ...values }, ...overrides,
})
const makeParking = (values: Json = {}, overrides: Json = {}): Json => ({
  v: 1, id: 'm-2', source: 'traffic', kind: 'parking', device: 'lot-1', ts: TS, values: { occupied: 80, capacity: 120, ...values }, ...overrides,
})
const makeAir = (values: Json = { pm25: 35, co: 0.8 }, overrides: Json = {}): Json => ({
  v: 1, id: 'm-3', source: 'environment', kind: 'air', device: 'aq-1', ts: TS, values, ...overrides,
})
const makeNoise = (values: Json = {}, overrides: Json = {}): Json => ({
  v: 1, id: 'm-4', source: 'environment', kind: 'noise', device: 'nz-1', ts: TS, values: { laeq_db: 62.5, ...values }, ...overrides,
})
const makeCase = (overrides: Json = {}): Json => ({
  v: 1, id: 'e-1', source: 'events', kind: 'case', case: 'case-1', stage: 'dispatched', ts: TS, category: 'garbage',
  channel: 'hotline', dept: 'huanwei', deadline: '2026-03-02T08:00:00+08:00', region: 'c1', severity: 2, title: '垃圾暴露', ...overrides,
})

const without = (o: Json, key: string): Json => Object.fromEntries(Object.entries(o).filter(([k]) => k !== key))
const decode = (topic: SourceTopic, message: Json | string, maxSkewMs?: number) =>
  decodeMessage(topic, typeof message === 'string' ? message : JSON.stringify(message), maxSkewMs === undefined ? { nowMs: NOW } : { nowMs: NOW, maxSkewMs })

describe('decodeMessage accepts', () => {
  it.each<[string, SourceTopic, Json]>([
    ['a segment reading', 'city.traffic', makeSegment()],
    ['a parking reading', 'city.traffic', makeParking()],
    ['a full parking lot', 'city.traffic', makeParking({ occupied: 120 })],
    ['an air reading with some pollutants', 'city.environment', makeAir()],
    ['an air reading with every pollutant', 'city.environment', makeAir({ pm25: 35, pm10: 50, so2: 10, no2: 40, o3: 100, co: 0.8 })],
    ['a noise reading', 'city.environment', makeNoise()],
    ['a reading without region or location', 'city.traffic', without(without(makeSegment(), 'region'), 'loc')],
    ['zero values', 'city.traffic', makeSegment({ flow: 0, speed_kmh: 0 })],
    ['values at their limits', 'city.environment', makeNoise({ laeq_db: 140 })],
    ['a case event', 'city.events', makeCase()],
    ['a case event without dept, deadline or region', 'city.events', without(without(without(makeCase({ stage: 'reported' }), 'dept'), 'deadline'), 'region')],
  ])('%s, returning its event time', (_, topic, message) => {
    const decoded = decode(topic, message)
    expect(decoded).toEqual({ ok: true, message, tsMs: TS_MS })
  })

  it.each<[string, number]>([
    ['2026-03-01T11:59:00Z', TS_MS],
    ['2026-03-01T11:59:00.250Z', TS_MS + 250],
    ['2026-03-01T06:59:00-05:00', TS_MS],
    ['2026-03-01T12:05:00Z', NOW + 300_000],
  ])('an event time of %s as %d', (ts, tsMs) => {
    expect(decode('city.traffic', makeSegment({}, { ts }))).toMatchObject({ ok: true, tsMs })
  })
})

describe('decodeMessage rejects', () => {
  it.each<[string, SourceTopic, Json | string, RejectReason, RegExp]>([
    ['text that is not JSON', 'city.traffic', 'speed=40', 'invalid_json', /JSON/],
    ['truncated JSON', 'city.traffic', '{"v":1,', 'invalid_json', /JSON/],
    ['JSON that is not an object', 'city.traffic', '[1, 2]', 'schema', /^\/ must be object/],
    ['JSON null', 'city.traffic', 'null', 'schema', /^\/ must be object/],
    ['an unknown kind', 'city.traffic', makeSegment({}, { kind: 'tunnel' }), 'schema', /\/kind/],
    ['an unknown source', 'city.traffic', makeSegment({}, { source: 'weather' }), 'schema', /\/source/],
    ['an unknown contract version', 'city.traffic', makeSegment({}, { v: 2 }), 'schema', /\/v\b/],
    ['a missing device', 'city.traffic', without(makeSegment(), 'device'), 'schema', /device/],
    ['a parking reading without a device', 'city.traffic', without(makeParking(), 'device'), 'schema', /device/],
    ['a missing value field', 'city.traffic', makeParking({ capacity: undefined }), 'schema', /capacity/],
    ['a missing segment value', 'city.traffic', makeSegment({ free_flow_kmh: undefined }), 'schema', /free_flow_kmh/],
    ['an additional property in values', 'city.traffic', makeSegment({ lanes: 3 }), 'schema', /\/values\/lanes/],
    ['an additional property in air values', 'city.environment', makeAir({ pm25: 35, pm1: 20 }), 'schema', /\/values\/pm1\b/],
    ['a misspelt noise field', 'city.environment', makeNoise({ laeq_db: undefined, laeq: 60 }), 'schema', /\/values .*laeq_db/],
    ['an air reading without values', 'city.environment', makeAir({}), 'schema', /\/values/],
    ['a value that is not a number', 'city.traffic', makeSegment({ flow: '12' }), 'schema', /\/values\/flow/],
    ['a value too large to be a finite number', 'city.traffic', JSON.stringify(makeSegment()).replace('"flow":12', '"flow":1e400'), 'schema', /\/values\/flow/],
    ['a region id that is not a slug', 'city.traffic', makeSegment({}, { region: 'West Lake' }), 'schema', /\/region/],
    ['a location outside WGS84', 'city.traffic', makeSegment({}, { loc: [200, 30] }), 'schema', /\/loc/],
    ['a case event with an unknown stage', 'city.events', makeCase({ stage: 'archived' }), 'schema', /\/stage/],
    ['a case event without a title', 'city.events', without(makeCase(), 'title'), 'schema', /title/],
    ['a case event with severity 5', 'city.events', makeCase({ severity: 5 }), 'schema', /\/severity/],
    ['a case event from an unknown channel', 'city.events', makeCase({ channel: 'fax' }), 'schema', /\/channel/],
    ['an id with a NUL, which no text column stores', 'city.traffic', makeSegment({}, { id: 'm\u00001' }), 'schema', /^id holds U\+0000 or an unpaired surrogate/],
    ['a device with an unpaired high surrogate', 'city.traffic', makeParking({}, { device: 'lot-\ud800' }), 'schema', /^device holds/],
    ['an id with an unpaired low surrogate', 'city.environment', makeNoise({}, { id: '\udc00m' }), 'schema', /^id holds/],
    ['a case title with a NUL', 'city.events', makeCase({ title: '垃圾\u0000暴露' }), 'schema', /^title holds/],
    ['a case department with reversed surrogates', 'city.events', makeCase({ dept: '\ude00\ud83d' }), 'schema', /^dept holds/],
    ['a traffic reading on the environment topic', 'city.environment', makeSegment(), 'wrong_topic', /source traffic .*city\.environment/],
    ['an environment reading on the traffic topic', 'city.traffic', makeAir(), 'wrong_topic', /source environment .*city\.traffic/],
    ['a case event on the traffic topic', 'city.traffic', makeCase(), 'wrong_topic', /source events .*city\.traffic/],
    ['a reading on the events topic', 'city.events', makeNoise(), 'wrong_topic', /source environment .*city\.events/],
    ['an event time without offset', 'city.traffic', makeSegment({}, { ts: '2026-03-01T11:59:00' }), 'bad_timestamp', /^ts "2026-03-01T11:59:00"/],
    ['an event time that is a date only', 'city.traffic', makeSegment({}, { ts: '2026-03-01' }), 'bad_timestamp', /^ts /],
    ['an event time with a space for T', 'city.traffic', makeSegment({}, { ts: '2026-03-01 11:59:00Z' }), 'bad_timestamp', /^ts /],
    ['an event time in epoch ms', 'city.traffic', makeSegment({}, { ts: String(TS_MS) }), 'bad_timestamp', /^ts /],
    ['an event time at hour 25', 'city.traffic', makeSegment({}, { ts: '2026-03-01T25:00:00Z' }), 'bad_timestamp', /^ts /],
    ['an event time on 30 February', 'city.traffic', makeSegment({}, { ts: '2026-02-30T10:00:00Z' }), 'bad_timestamp', /^ts "2026-02-30/],
    ['an event time on 31 April', 'city.traffic', makeSegment({}, { ts: '2026-04-31T10:00:00+08:00' }), 'bad_timestamp', /^ts "2026-04-31/],
    ['a case deadline without offset', 'city.events', makeCase({ deadline: '2026-03-02T08:00:00' }), 'bad_timestamp', /^deadline "2026-03-02T08:00:00"/],
    ['an event time more than 5 minutes ahead', 'city.traffic', makeSegment({}, { ts: '2026-03-01T12:05:00.001Z' }), 'clock_skew', /^ts 2026-03-01T12:05:00.001Z/],
    ['a case event from the future', 'city.events', makeCase({ ts: '2026-03-02T12:00:00Z' }), 'clock_skew', /^ts /],
    ['a negative flow', 'city.traffic', makeSegment({ flow: -1 }), 'negative_value', /^values\.flow is -1$/],
    ['a negative concentration', 'city.environment', makeAir({ pm25: -0.5 }), 'negative_value', /^values\.pm25 /],
    ['a negative capacity', 'city.traffic', makeParking({ occupied: 0, capacity: -3 }), 'negative_value', /^values\.capacity /],
    ['a speed beyond any car', 'city.traffic', makeSegment({ speed_kmh: 300 }), 'absurd_value', /^values\.speed_kmh is 300, above 250$/],
    ['noise louder than 140 dB', 'city.environment', makeNoise({ laeq_db: 141 }), 'absurd_value', /^values\.laeq_db /],
    ['an impossible CO level', 'city.environment', makeAir({ co: 250 }), 'absurd_value', /^values\.co /],
    ['more cars parked than spaces', 'city.traffic', makeParking({ occupied: 121 }), 'absurd_value', /values\.occupied 121 exceeds capacity 120/],
    ['a free-flow speed of 0', 'city.traffic', makeSegment({ free_flow_kmh: 0 }), 'absurd_value', /values\.free_flow_kmh is 0/],
  ])('%s', (_, topic, message, reason, detail) => {
    const decoded = decode(topic, message)
    expect(decoded).toMatchObject({ ok: false, reason })
    expect(decoded.ok ? '' : decoded.detail).toMatch(detail)
  })

  it('accepts text with paired surrogates (characters beyond the BMP)', () => {
    expect(decode('city.traffic', makeSegment({}, { id: 'm-😀', device: '路段-𠀀' }))).toMatchObject({ ok: true })
    expect(decode('city.events', makeCase({ title: '井盖缺失 🚧' }))).toMatchObject({ ok: true })
  })

  it('honours a custom skew allowance', () => {
    const ahead = makeSegment({}, { ts: '2026-03-01T12:00:30Z' })
    expect(decode('city.traffic', ahead, 10_000)).toMatchObject({ ok: false, reason: 'clock_skew' })
    expect(decode('city.traffic', ahead, 60_000)).toMatchObject({ ok: true })
  })

  it('lets the message\'s own source decide when there is no topic (a replayed file)', () => {
    for (const message of [makeSegment(), makeAir(), makeCase()]) {
      expect(decodeMessage(null, JSON.stringify(message), { nowMs: NOW })).toEqual({ ok: true, message, tsMs: TS_MS })
    }
    expect(decodeMessage(null, JSON.stringify(makeSegment({ flow: -1 })), { nowMs: NOW })).toMatchObject({ ok: false, reason: 'negative_value' })
  })

  it('checks the schema before the topic, so a broken message is a schema error wherever it lands', () => {
    expect(decode('city.events', makeSegment({ lanes: 3 }))).toMatchObject({ ok: false, reason: 'schema' })
  })
})

describe('parseTime', () => {
  it.each<[string, number | null]>([
    ['2026-03-01T19:59:00+08:00', TS_MS],
    ['2026-03-01T11:59:00Z', TS_MS],
    ['2026-03-01T11:59:00.5Z', TS_MS + 500],
    ['2024-02-29T00:00:00Z', Date.UTC(2024, 1, 29)],
    ['2026-02-29T00:00:00Z', null],
    ['2026-02-30T00:00:00Z', null],
    ['2026-06-31T00:00:00Z', null],
    ['2026-13-01T00:00:00Z', null],
    ['2026-03-01T11:59:00', null],
    ['2026-03-01t11:59:00z', null],
    ['', null],
  ])('reads %j as %j', (text, expected) => {
    expect(parseTime(text)).toBe(expected)
  })
})
