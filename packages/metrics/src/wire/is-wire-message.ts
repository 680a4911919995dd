import { CaseChannel, CaseEvent, CaseStage, Reading, RegionId, type WireMessage } from './reading.js'

/**
 * The wire contract's verdict for a parsed JSON message, written out by hand: the same answer as the
 * compiled TypeBox schemas (a property test holds them together), without the arrays their generated
 * code allocates per message. Limits, patterns and value fields are read from the schemas here, so
 * they stay the one statement of the contract.
 */
export function isWireMessage(raw: unknown): raw is WireMessage {
  if (!isObject(raw)) {
    return false
  }
  const m = raw as Record<string, unknown>
  if (m.source === 'events') {
    return m.kind === 'case' && isBase(m) && isCaseEvent(m)
  }
  const variant = typeof m.kind === 'string' ? VARIANTS.get(m.kind) : undefined
  return variant !== undefined && variant.source === m.source && isBase(m) && isText(m.device, DEVICE) && isValues(m.values, variant)
}

interface Text {
  min: number
  max: number
}
interface ValueFields {
  source: string
  fields: ReadonlySet<string>
  required: readonly string[]
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
const ID = text(base.id)
const TS = text(base.ts)
const REGION = new RegExp((RegionId as Keywords).pattern!, 'u')
const [LON, LAT] = base.loc.items.map(range)
const DEVICE = text(segment.device)
const CASE = text(base.case)
const CATEGORY = text(base.category)
const DEPT = text(base.dept)
const DEADLINE = text(base.deadline)
const TITLE = text(base.title)
const STAGES = new Set(CaseStage.anyOf.map((s) => s.const as string))
const CHANNELS = new Set(CaseChannel.anyOf.map((c) => c.const as string))
const SEVERITY = range(base.severity)
/** kind → its source and the fields its `values` may and must hold (a kind names one reading variant). */
const VARIANTS = new Map<string, ValueFields>()
for (const variant of Reading.anyOf) {
  const { source, kind, values } = variant.properties
  if (VARIANTS.has(kind.const)) {
    throw new Error(`reading kind ${kind.const} is not unique`)
  }
  VARIANTS.set(kind.const, { source: source.const, fields: new Set(Object.keys(values.properties)), required: values.required ?? [] })
}

function isObject(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function isBase(m: Record<string, unknown>): boolean {
  return m.v === 1 && isText(m.id, ID) && isText(m.ts, TS)
    && (m.region === undefined || (typeof m.region === 'string' && REGION.test(m.region)))
    && (m.loc === undefined || isLonLat(m.loc))
}

function isLonLat(v: unknown): boolean {
  if (!Array.isArray(v) || v.length !== 2) {
    return false
  }
  const [lon, lat] = v as unknown[]
  return isNumberIn(lon, LON!.min, LON!.max) && isNumberIn(lat, LAT!.min, LAT!.max)
}

function isCaseEvent(m: Record<string, unknown>): boolean {
  return isText(m.case, CASE) && typeof m.stage === 'string' && STAGES.has(m.stage) && isText(m.category, CATEGORY)
    && typeof m.channel === 'string' && CHANNELS.has(m.channel)
    && (m.dept === undefined || isText(m.dept, DEPT)) && (m.deadline === undefined || isText(m.deadline, DEADLINE))
    && Number.isInteger(m.severity) && (m.severity as number) >= SEVERITY.min && (m.severity as number) <= SEVERITY.max
    && isText(m.title, TITLE)
}

function isValues(v: unknown, { fields, required }: ValueFields): boolean {
  if (!isObject(v)) {
    return false
  }
  const values = v as Record<string, unknown>
  let count = 0
  for (const key in values) {
    if (!fields.has(key) || !Number.isFinite(values[key])) {
      return false
    }
    count++
  }
  if (count === 0) {
    return false
  }
  for (const key of required) {
    if (values[key] === undefined) {
      return false
    }
  }
  return true
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
