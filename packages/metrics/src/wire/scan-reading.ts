import { LIMITS } from './decode.js'
import { DEVICE, ID, LAT, LON, READING_KINDS, TS } from './is-wire-message.js'
import { parseTimeWithin } from './parse-time.js'
import type { Reading } from './reading.js'

export { READING_KINDS } from './is-wire-message.js'

/** Reading kind → its index in READING_KINDS. */
export const KIND = Object.fromEntries(READING_KINDS.map((k, i) => [k.kind, i])) as Record<Reading['kind'], number>

/** Where a field stands in ScannedReading.values of its kind (the contract's order). */
function valueIndex(kind: Reading['kind'], field: string): number {
  const j = READING_KINDS[KIND[kind]]!.fields.indexOf(field)
  if (j < 0) {
    throw new Error(`a ${kind} reading has no value ${field}`)
  }
  return j
}

/** The positions in ScannedReading.values of the fields folded or checked by name. */
export const VALUE = {
  flow: valueIndex('segment', 'flow'),
  speed: valueIndex('segment', 'speed_kmh'),
  freeFlow: valueIndex('segment', 'free_flow_kmh'),
  occupied: valueIndex('parking', 'occupied'),
  capacity: valueIndex('parking', 'capacity'),
  laeq: valueIndex('noise', 'laeq_db'),
}

/**
 * A reading as scanReading finds it, one object filled again for every message: its kind (an index of
 * READING_KINDS), event time, where its id, device and region stand in the text (region -1 when
 * absent), its loc (NaN when absent), and its values in the contract's order (NaN when absent).
 */
export class ScannedReading {
  kind = 0
  tsMs = 0
  idStart = 0
  idEnd = 0
  deviceStart = 0
  deviceEnd = 0
  regionStart = -1
  regionEnd = -1
  lon = Number.NaN
  lat = Number.NaN
  readonly values = new Float64Array(Math.max(...READING_KINDS.map((k) => k.fields.length)))

  /** The head scanReadingHead found in a text, set again (as kept since) for scanReadingRest. */
  setHead(kind: number, idEnd: number, deviceStart: number): void {
    this.kind = kind
    this.idStart = READING_ID_START
    this.idEnd = idEnd
    this.deviceStart = deviceStart
  }

  /** A decoded reading's kind and values, so that one fold serves both (the places are left as they were). */
  setValuesOf(m: Reading): void {
    this.kind = KIND[m.kind]
    const values = m.values as Record<string, number | undefined>
    FIELDS[this.kind]!.forEach((field, j) => {
      this.values[j] = values[field] ?? Number.NaN
    })
  }
}

/**
 * Reads a reading the way producers write it — compact JSON in the contract's field order, ASCII text
 * without escapes, plain decimal numbers — straight from its text into `out`: no JSON.parse,
 * no objects, no strings, which at tens of thousands of messages a second are most of the cost of
 * decoding them. true only for a message that decodeMessage accepts, with the same parts (`source`
 * null: any source, as for a replayed file); false for anything else — a rejected message, a work
 * order, another spelling of a valid one — and decodeMessage decides. scan-reading.test.ts holds the two
 * together on generated readings and mutations of them, scan-stream.test.ts on the simulator's stream.
 */
export function scanReading(text: string, source: string | null, nowMs: number, maxSkewMs: number, out: ScannedReading): boolean {
  return scanReadingHead(text, source, out) && scanReadingRest(text, nowMs, maxSkewMs, out)
}

/**
 * scanReading's first part, up to where the device's text starts: true when the text starts as a
 * reading from `source` (any source for null) in the producers' spelling does, with a valid id — a
 * work order's does not — and its kind, idStart, idEnd and deviceStart set in `out`.
 */
export function scanReadingHead(text: string, source: string | null, out: ScannedReading): boolean {
  const idEnd = textEnd(text, expect(text, 0, OPENING))
  if (!isWithin(idEnd - READING_ID_START, ID)) {
    return false
  }
  const p = expect(text, idEnd, SOURCE)
  for (let k = 0; k < KIND_HEADS.length; k++) {
    // Two characters rule out a kind before its whole head is compared: the source's first and the kind's.
    const { literal: kindHead, kindAt } = KIND_HEADS[k]!
    const after = text.charCodeAt(p) === kindHead[0] && text.charCodeAt(p + kindAt) === kindHead[kindAt] ? expect(text, p, kindHead) : -1
    if (after >= 0) {
      out.kind = k
      out.idStart = READING_ID_START
      out.idEnd = idEnd
      out.deviceStart = after
      return source === null || READING_KINDS[k]!.source === source
    }
  }
  return false
}

/** scanReading's second part: the rest of the reading whose head scanReadingHead read into `out`. */
export function scanReadingRest(text: string, nowMs: number, maxSkewMs: number, out: ScannedReading): boolean {
  const { kind, deviceStart } = out
  const deviceEnd = textEnd(text, deviceStart)
  const tsStart = expect(text, deviceEnd, TS_KEY)
  const tsEnd = timeEnd(text, tsStart)
  if (!isWithin(deviceEnd - deviceStart, DEVICE) || !isWithin(tsEnd - tsStart, TS)) {
    return false
  }
  const tsMs = parseTimeWithin(text, tsStart, tsEnd)
  if (typeof tsMs !== 'number' || tsMs > nowMs + maxSkewMs) {
    return false
  }
  let p = tsEnd + 1
  let regionStart = -1
  let regionEnd = -1
  const region = expect(text, p, REGION_KEY)
  if (region >= 0) {
    regionStart = region
    regionEnd = regionIdEnd(text, region)
    p = expect(text, regionEnd, QUOTE)
    if (p < 0) {
      return false
    }
  }
  let lon = Number.NaN
  let lat = Number.NaN
  const loc = expect(text, p, LOC_KEY)
  if (loc >= 0) {
    p = numberEnd(text, loc)
    lon = scanned[0]!
    p = numberEnd(text, expect(text, p, COMMA))
    lat = scanned[0]!
    p = expect(text, p, CLOSE_LOC)
    if (p < 0 || lon < LON.min || lon > LON.max || lat < LAT.min || lat > LAT.max) {
      return false
    }
  }
  p = expect(text, p, VALUES_KEY)
  if (p < 0 || !scanValues(text, p, kind, out.values)) {
    return false
  }
  out.tsMs = tsMs
  out.deviceEnd = deviceEnd
  out.regionStart = regionStart
  out.regionEnd = regionEnd
  out.lon = lon
  out.lat = lat
  return true
}

/**
 * The text a message's parts are set in, as UTF-16 code units: compared element by element with the
 * message (a string's own characters cost a check of its representation at every read).
 */
type Literal = Uint16Array
const literal = (s: string): Literal => Uint16Array.from(s, (c) => c.charCodeAt(0))
const [OPENING, SOURCE, TS_KEY, REGION_KEY, QUOTE, LOC_KEY, COMMA, CLOSE_LOC, VALUES_KEY] =
  ['{"v":1,"id":"', '","source":"', '","ts":"', ',"region":"', '"', ',"loc":[', ',', ']', ',"values":{'].map(literal) as [Literal, Literal, Literal, Literal, Literal, Literal, Literal, Literal, Literal]
/** Where the id of a reading in the producers' spelling starts. */
const READING_ID_START = OPENING.length
const FIELDS = READING_KINDS.map((k) => k.fields)
/** What follows `"source":"` up to the device's text, per kind, and where in it the kind's name starts. */
const KIND_HEADS = READING_KINDS.map((k) => ({ literal: literal(`${k.source}","kind":"${k.kind}","device":"`), kindAt: `${k.source}","kind":"`.length }))
/** Each kind's value keys as they open a field, `"flow":`. */
const FIELD_KEYS = FIELDS.map((fields) => fields.map((f) => literal(`"${f}":`)))
const FIELD_LIMITS = FIELDS.map((fields) => fields.map((f) => LIMITS[f] ?? Infinity))
const REQUIRED = READING_KINDS.map((k) => k.fields.map((f) => k.required.has(f)))

/**
 * The values object at p up to the closing `}}` that ends the message: fields in the contract's order,
 * each at most once, within decodeMessage's limits, the required ones there and one at least.
 */
function scanValues(text: string, p: number, kind: number, values: Float64Array): boolean {
  const keys = FIELD_KEYS[kind]!
  const limits = FIELD_LIMITS[kind]!
  for (let j = 0; j < keys.length; j++) {
    values[j] = Number.NaN
  }
  let present = 0
  for (let next = 0; ;) {
    let field = next
    let after = -1
    // A key's first letter rules most others out before it is compared whole.
    const letter = text.charCodeAt(p + 1)
    for (; field < keys.length && after < 0; field++) {
      const key = keys[field]!
      after = key[1] === letter ? expect(text, p, key) : -1
    }
    if (after < 0) {
      return false
    }
    p = numberEnd(text, after)
    const value = scanned[0]!
    if (p < 0 || value < 0 || value > limits[field - 1]!) {
      return false
    }
    values[field - 1] = value
    present++
    next = field
    const c = text.charCodeAt(p)
    if (c === 125 /* } */) {
      break
    }
    if (c !== 44 /* , */) {
      return false
    }
    p++
  }
  if (p + 2 !== text.length || text.charCodeAt(p + 1) !== 125) {
    return false
  }
  const required = REQUIRED[kind]!
  for (let j = 0; j < required.length; j++) {
    if (required[j] && Number.isNaN(values[j]!)) {
      return false
    }
  }
  // decodeMessage's checks across fields.
  if (kind === KIND.segment && values[VALUE.freeFlow] === 0) {
    return false
  }
  return present > 0 && !(kind === KIND.parking && values[VALUE.occupied]! > values[VALUE.capacity]!)
}

/** The position after `literal` if the text holds it at p, else -1 (also for p = -1). */
function expect(text: string, p: number, literal: Literal): number {
  const n = literal.length
  if (p < 0 || p + n > text.length) {
    return -1
  }
  for (let i = 0; i < n; i++) {
    if (text.charCodeAt(p + i) !== literal[i]) {
      return -1
    }
  }
  return p + n
}

/**
 * The closing quote of a JSON string's content starting at p, if that content is printable ASCII
 * without escapes (so it is the text itself, and its length is its length in code points); else -1.
 */
function textEnd(text: string, p: number): number {
  if (p < 0) {
    return -1
  }
  for (let i = p; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 34 /* " */) {
      return i
    }
    if (c < 32 || c > 126 || c === 92 /* \ */) {
      return -1
    }
  }
  return -1
}

/**
 * The closing quote of a time at p spelled as parseTimeWithin reads it (`…T…:…:ss`, a fraction or none,
 * then `Z` or `±hh:mm`), found from its shape without reading every character (parseTimeWithin reads
 * them all); else -1.
 */
function timeEnd(text: string, p: number): number {
  if (p < 0) {
    return -1
  }
  let i = p + 19
  if (text.charCodeAt(i) === 46 /* . */) {
    for (i++; text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57; i++) {
      // the fraction's digits
    }
  }
  const c = text.charCodeAt(i)
  const end = c === 90 /* Z */ ? i + 1 : c === 43 /* + */ || c === 45 /* - */ ? i + 6 : -1
  return end >= 0 && text.charCodeAt(end) === 34 /* " */ ? end : -1
}

function isWithin(length: number, { min, max }: { min: number, max: number }): boolean {
  return length >= min && length <= max
}

/** Where a region id starting at p ends, if it is one (RegionId's pattern, ^[a-z0-9][a-z0-9-]{0,63}$), else -1. */
function regionIdEnd(text: string, p: number): number {
  let i = p
  for (; i < text.length && i - p < 64; i++) {
    const c = text.charCodeAt(i)
    if (!((c >= 97 && c <= 122) || (c >= 48 && c <= 57) || (c === 45 && i > p))) {
      break
    }
  }
  return i > p ? i : -1
}

const POW10 = Float64Array.from({ length: 16 }, (_, k) => Number(`1e${k}`))
/** The value of the last number numberEnd read (an array's element: a module's variable costs more to write). */
const scanned = new Float64Array(1)

/**
 * Reads the JSON number at p into scanned[0] and returns where it ends, or -1. Only plain decimals of
 * at most 15 digits: their digits and the power of ten are exact doubles, so one division gives the
 * correctly rounded value, JSON.parse's. Exponents and longer numbers take the general path.
 */
function numberEnd(text: string, p: number): number {
  if (p < 0) {
    return -1
  }
  let i = p
  const negative = text.charCodeAt(i) === 45
  if (negative) {
    i++
  }
  let c = text.charCodeAt(i)
  if (!(c >= 48 && c <= 57)) {
    return -1
  }
  let digits = 0
  let mantissa = 0
  if (c === 48) {
    // JSON has no leading zeros: after a 0 comes the fraction or the number's end.
    digits = 1
    c = text.charCodeAt(++i)
  } else {
    for (; c >= 48 && c <= 57; c = text.charCodeAt(++i)) {
      mantissa = mantissa * 10 + c - 48
      digits++
    }
  }
  let scale = 0
  if (c === 46 /* . */) {
    c = text.charCodeAt(++i)
    if (!(c >= 48 && c <= 57)) {
      return -1
    }
    for (; c >= 48 && c <= 57; c = text.charCodeAt(++i)) {
      mantissa = mantissa * 10 + c - 48
      digits++
      scale++
    }
  }
  if (c === 101 || c === 69 || digits > 15) {
    return -1
  }
  const value = mantissa / POW10[scale]!
  scanned[0] = negative ? -value : value
  return i
}
