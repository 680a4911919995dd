import { CaseChannel, CaseEvent, CaseStage, Reading, RegionId, type WireMessage } from './reading.js'

/**
 * The wire contract's verdict for a parsed JSON message, written out by hand: the same answer as the
 * compiled TypeBox schemas (a property test holds them together), without the arrays their generated
 * code allocates per message. Limits, patterns and value fields are read from the schemas here, so
 * they stay the one statement of the contract.
 *
 * A valid message comes back as a copy with only the contract's fields, in one fixed shape (one for
 * readings, one for work orders, absent optional fields present as undefined), each field read once:
 * `JSON.parse` gives every key order and subset of optional fields a hidden class of its own, and the
 * code that reads messages after this sees one per kind instead of a dozen.
 */
export function readWireMessage(raw: unknown): WireMessage | undefined {
  if (!isObject(raw)) {
    return undefined
  }
  const { v, id, ts, source, kind, region, loc } = raw as Record<string, unknown>
  if (v !== 1 || !isText(id, ID) || !isText(ts, TS) || (region !== undefined && !(typeof region === 'string' && REGION.test(region)))
    || (loc !== undefined && !isLonLat(loc))) {
    return undefined
  }
  const m = raw as Record<string, unknown>
  if (source === 'events') {
    return kind === 'case' && isCaseEvent(m) ? caseEvent(m) : undefined
  }
  const variant = typeof kind === 'string' ? VARIANTS.get(kind) : undefined
  const { device } = m
  if (variant === undefined || variant.source !== source || !isText(device, DEVICE)) {
    return undefined
  }
  const values = readValues(m.values, variant)
  // One object literal for every kind of reading: one hidden class.
  return values && { v: 1, id, source, kind, device, ts, region, loc, values } as Reading
}

/** Whether a parsed JSON message is valid under wire contract v1. */
export function isWireMessage(raw: unknown): raw is WireMessage {
  return readWireMessage(raw) !== undefined
}

interface Text {
  min: number
  max: number
}
interface ValueFields {
  source: string
  required: ReadonlySet<string>
  /** The contract's value fields of this kind, copied into an object of one shape (absent ones undefined). */
  copy: (values: Record<string, unknown>) => Record<string, unknown>
}

/** The JSON Schema keywords of a TypeBox schema (its static type does not list them). */
interface Keywords {
  minLength?: number
  maxLength?: number
  minimum?: number
  maximum?: number
  pattern?: string
}
const text = (schema: object): Text => {
  const { minLength = 0, maxLength = Infinity } = schema as Keywords
  return { min: minLength, max: maxLength }
}
const range = (schema: object) => {
  const { minimum = -Infinity, maximum = Infinity } = schema as Keywords
  return { min: minimum, max: maximum }
}
const [base, segment] = [CaseEvent.properties, Reading.anyOf[0].properties]
export const ID = text(base.id)
export const TS = text(base.ts)
const REGION = new RegExp((RegionId as Keywords).pattern!, 'u')
export const [LON, LAT] = base.loc.items.map(range) as [{ min: number, max: number }, { min: number, max: number }]
export const DEVICE = text(segment.device)
const CASE = text(base.case)
const CATEGORY = text(base.category)
const DEPT = text(base.dept)
const DEADLINE = text(base.deadline)
const TITLE = text(base.title)
const STAGES = new Set(CaseStage.anyOf.map((s) => s.const as string))
const CHANNELS = new Set(CaseChannel.anyOf.map((c) => c.const as string))
const SEVERITY = range(base.severity)
/** Copies of each kind's values, every field in the contract's order: one hidden class per kind. */
const COPIES: Record<string, ValueFields['copy']> = {
  segment: (v) => ({ flow: v.flow, speed_kmh: v.speed_kmh, free_flow_kmh: v.free_flow_kmh }),
  parking: (v) => ({ occupied: v.occupied, capacity: v.capacity }),
  air: (v) => ({ pm25: v.pm25, pm10: v.pm10, so2: v.so2, no2: v.no2, o3: v.o3, co: v.co }),
  noise: (v) => ({ laeq_db: v.laeq_db }),
}
/** kind → its source and its values (a kind names one reading variant). */
const VARIANTS = new Map<string, ValueFields>()
for (const variant of Reading.anyOf) {
  const { source, kind, values } = variant.properties
  const copy = COPIES[kind.const]
  if (VARIANTS.has(kind.const) || copy === undefined || Object.keys(copy({})).join() !== Object.keys(values.properties).join()) {
    throw new Error(`reading kind ${kind.const} is not unique or its copy does not hold exactly the contract's fields`)
  }
  VARIANTS.set(kind.const, { source: source.const, required: new Set(values.required ?? []), copy })
}
/** Each reading kind with its source and its value fields in the contract's order. */
export const READING_KINDS = [...VARIANTS].map(([kind, { source, required, copy }]) => ({ kind, source, fields: Object.keys(copy({})), required }))

function isObject(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function isLonLat(v: unknown): boolean {
  if (!Array.isArray(v) || v.length !== 2) {
    return false
  }
  const [lon, lat] = v as unknown[]
  return isNumberIn(lon, LON.min, LON.max) && isNumberIn(lat, LAT.min, LAT.max)
}

function isCaseEvent(m: Record<string, unknown>): boolean {
  return isText(m.case, CASE) && typeof m.stage === 'string' && STAGES.has(m.stage) && isText(m.category, CATEGORY)
    && typeof m.channel === 'string' && CHANNELS.has(m.channel)
    && (m.dept === undefined || isText(m.dept, DEPT)) && (m.deadline === undefined || isText(m.deadline, DEADLINE))
    && Number.isInteger(m.severity) && (m.severity as number) >= SEVERITY.min && (m.severity as number) <= SEVERITY.max
    && isText(m.title, TITLE)
}

/** A valid work-order event as an object of one shape. */
function caseEvent(m: Record<string, unknown>): CaseEvent {
  const { id, ts, region, loc, stage, category, channel, dept, deadline, severity, title } = m
  return { v: 1, id, source: 'events', kind: 'case', case: m.case, stage, category, channel, dept, deadline, severity, title, ts, region, loc } as CaseEvent
}

/** The values of a reading, copied, if every field is a known finite number, the required ones are there, and there is one at least. */
function readValues(raw: unknown, { required, copy }: ValueFields): Reading['values'] | undefined {
  if (!isObject(raw)) {
    return undefined
  }
  const values = copy(raw as Record<string, unknown>)
  let present = 0
  for (const key in values) {
    const value = values[key]
    if (value === undefined) {
      if (required.has(key)) {
        return undefined
      }
    } else if (Number.isFinite(value)) {
      present++
    } else {
      return undefined
    }
  }
  // A key beyond the copied ones is a field the contract does not have.
  return present > 0 && present === Object.keys(raw as object).length ? values as Reading['values'] : undefined
}

function isNumberIn(v: unknown, min: number, max: number): boolean {
  return Number.isFinite(v) && (v as number) >= min && (v as number) <= max
}

/** A string whose length in code points, counted as TypeBox counts them, is within the limits. */
function isText(v: unknown, { min, max }: Text): boolean {
  if (typeof v !== 'string') {
    return false
  }
  const n = v.length
  // Code points are at most the code units and at least half of them: most strings need no count.
  if (n >= 2 * min && n <= max) {
    return true
  }
  const isLong = n >= 2 * min || (n >= min && codePoints(v) >= min)
  const isShort = n <= max || (n <= 2 * max && codePoints(v) <= max)
  return isLong && isShort
}

function codePoints(s: string): number {
  let count = 0
  let prev = 0
  for (let i = 0; i < s.length; i++) {
    const next = s.charCodeAt(i) >> 10
    count += ((prev << 8) | next) === 0x3637 ? 0 : 1
    prev = next
  }
  return count
}
