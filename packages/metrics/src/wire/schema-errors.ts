import { CaseEvent, Reading } from './reading.js'

/** A JSON Schema node as TypeBox builds it; only the keywords the wire contract uses are read. */
interface SchemaNode {
  type?: unknown
  const?: unknown
  anyOf?: SchemaNode[]
  minLength?: number
  maxLength?: number
  pattern?: string
  minimum?: number
  maximum?: number
  required?: string[]
  properties?: Record<string, SchemaNode>
  additionalProperties?: unknown
  minProperties?: number
  items?: SchemaNode[]
  additionalItems?: unknown
  minItems?: number
}

/** First error of a value at a path, as "<instance path> <message>", or null when it conforms. */
type Step = (value: unknown, path: string) => string | null

const KEYWORDS = new Set([
  'type', 'const', 'anyOf', 'minLength', 'maxLength', 'pattern', 'minimum', 'maximum', 'required', 'properties',
  'additionalProperties', 'minProperties', 'items', 'additionalItems', 'minItems', 'description',
])

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const TYPES: Record<string, (v: unknown) => boolean> = {
  object: isObject,
  array: Array.isArray,
  string: (v) => typeof v === 'string',
  number: Number.isFinite,
  integer: Number.isInteger,
}
const fail = (path: string, message: string) => `${path || '/'} ${message}`
/** JSON Pointer escaping of a key, as TypeBox writes instance paths. */
const pointer = (key: string) => (key.includes('~') || key.includes('/') ? key.replace(/~/g, '~0').replace(/\//g, '~1') : key)

/** Unicode code points, counted the way TypeBox counts string lengths (a lone surrogate counts one). */
function codePoints(text: string): number {
  let count = 0
  let prev = 0
  for (let i = 0; i < text.length; i++) {
    const next = text.charCodeAt(i) >> 10
    count += ((prev << 8) | next) === 0x3637 ? 0 : 1
    prev = next
  }
  return count
}

/**
 * Compiles a TypeBox schema into a function that returns the first error TypeBox's `Errors()` would
 * list for a JSON value, in its order: type, object keywords (required, additionalProperties, properties,
 * minProperties), array keywords (additionalItems, items, minItems), string keywords (minLength,
 * maxLength, pattern), number keywords (minimum, maximum), const, anyOf. A keyword outside this set
 * throws here, so a contract change cannot silently escape the fast path.
 */
function compile(schema: SchemaNode): Step {
  for (const keyword of Object.keys(schema)) {
    if (!KEYWORDS.has(keyword)) {
      throw new Error(`the fast wire validator does not support the schema keyword ${keyword}`)
    }
  }
  const steps: Step[] = [
    ...typeSteps(schema), ...objectSteps(schema), ...arraySteps(schema), ...stringSteps(schema), ...numberSteps(schema),
  ]
  if (schema.const !== undefined) {
    const expected = schema.const
    steps.push((v, path) => (v === expected ? null : fail(path, 'must be equal to constant')))
  }
  if (schema.anyOf) {
    const variants = schema.anyOf.map(compile)
    steps.push((v, path) => {
      let first: string | null = null
      for (const variant of variants) {
        const error = variant(v, path)
        if (error === null) {
          return null
        }
        first ??= error
      }
      return first
    })
  }
  return steps.length === 1 ? steps[0]! : (v, path) => {
    for (const step of steps) {
      const error = step(v, path)
      if (error !== null) {
        return error
      }
    }
    return null
  }
}

function typeSteps(schema: SchemaNode): Step[] {
  if (schema.type === undefined) {
    return []
  }
  const is = typeof schema.type === 'string' ? TYPES[schema.type] : undefined
  if (!is) {
    throw new Error(`the fast wire validator does not support type ${JSON.stringify(schema.type)}`)
  }
  const message = `must be ${schema.type as string}`
  return [(v, path) => (is(v) ? null : fail(path, message))]
}

function objectSteps(schema: SchemaNode): Step[] {
  const steps: Step[] = []
  const required = schema.required ?? []
  if (required.length > 0) {
    steps.push((v, path) => {
      const o = v as Record<string, unknown>
      for (const key of required) {
        if (!(key in o)) {
          return fail(path, `must have required properties ${required.filter((k) => !(k in o)).join(', ')}`)
        }
      }
      return null
    })
  }
  const properties = Object.entries(schema.properties ?? {}).map(([key, node]) => [key, `/${pointer(key)}`, compile(node)] as const)
  if (schema.additionalProperties === false) {
    const known = new Set(properties.map(([key]) => key))
    steps.push((v, path) => {
      for (const key in v as object) {
        if (!known.has(key)) {
          return fail(`${path}/${pointer(key)}`, 'schema is false')
        }
      }
      return null
    })
  } else if (schema.additionalProperties !== undefined && schema.additionalProperties !== true) {
    throw new Error('the fast wire validator supports additionalProperties true or false only')
  }
  if (properties.length > 0) {
    steps.push((v, path) => {
      const o = v as Record<string, unknown>
      for (const [key, suffix, check] of properties) {
        const value = o[key]
        // JSON has no undefined: absent and missing are the same (TypeBox lets optional undefined pass too).
        if (value !== undefined) {
          const error = check(value, path + suffix)
          if (error !== null) {
            return error
          }
        }
      }
      return null
    })
  }
  if (schema.minProperties !== undefined) {
    const min = schema.minProperties
    steps.push((v, path) => (Object.keys(v as object).length >= min ? null : fail(path, `must not have fewer than ${min} properties`)))
  }
  return steps.length === 0 ? [] : [(v, path) => (isObject(v) ? runAll(steps, v, path) : null)]
}

function arraySteps(schema: SchemaNode): Step[] {
  const steps: Step[] = []
  const items = (schema.items ?? []).map(compile)
  if (schema.items !== undefined && !Array.isArray(schema.items)) {
    throw new Error('the fast wire validator supports tuple items only')
  }
  if (schema.additionalItems === false && schema.items) {
    steps.push((v, path) => ((v as unknown[]).length > items.length ? fail(`${path}/${items.length}`, 'schema is false') : null))
  }
  if (items.length > 0) {
    steps.push((v, path) => {
      const a = v as unknown[]
      for (let i = 0; i < items.length && i < a.length; i++) {
        const error = items[i]!(a[i], `${path}/${i}`)
        if (error !== null) {
          return error
        }
      }
      return null
    })
  }
  if (schema.minItems !== undefined) {
    const min = schema.minItems
    steps.push((v, path) => ((v as unknown[]).length >= min ? null : fail(path, `must not have fewer than ${min} items`)))
  }
  return steps.length === 0 ? [] : [(v, path) => (Array.isArray(v) ? runAll(steps, v, path) : null)]
}

function stringSteps(schema: SchemaNode): Step[] {
  const steps: Step[] = []
  const { minLength: min, maxLength: max, pattern } = schema
  if (min !== undefined) {
    // Fewer code units than code points is impossible; twice as many always suffices.
    const isLong = (s: string) => s.length >= 2 * min || (s.length >= min && codePoints(s) >= min)
    steps.push((v, path) => (isLong(v as string) ? null : fail(path, `must not have fewer than ${min} characters`)))
  }
  if (max !== undefined) {
    const isShort = (s: string) => s.length <= max || (s.length <= 2 * max && codePoints(s) <= max)
    steps.push((v, path) => (isShort(v as string) ? null : fail(path, `must not have more than ${max} characters`)))
  }
  if (pattern !== undefined) {
    const regexp = new RegExp(pattern, 'u')
    steps.push((v, path) => (regexp.test(v as string) ? null : fail(path, `must match pattern "${pattern}"`)))
  }
  return steps.length === 0 ? [] : [(v, path) => (typeof v === 'string' ? runAll(steps, v, path) : null)]
}

function numberSteps(schema: SchemaNode): Step[] {
  const steps: Step[] = []
  const { minimum, maximum } = schema
  if (minimum !== undefined) {
    steps.push((v, path) => ((v as number) >= minimum ? null : fail(path, `must be >= ${minimum}`)))
  }
  if (maximum !== undefined) {
    steps.push((v, path) => ((v as number) <= maximum ? null : fail(path, `must be <= ${maximum}`)))
  }
  return steps.length === 0 ? [] : [(v, path) => (Number.isFinite(v) ? runAll(steps, v, path) : null)]
}

function runAll(steps: readonly Step[], v: unknown, path: string): string | null {
  for (const step of steps) {
    const error = step(v, path)
    if (error !== null) {
      return error
    }
  }
  return null
}

const caseErrors = compile(CaseEvent as SchemaNode)
const readingVariants = Reading.anyOf.map((variant) => ({
  source: variant.properties.source.const as string, kind: variant.properties.kind.const as string, check: compile(variant as SchemaNode),
}))
const firstReadingVariant = readingVariants[0]!.check
const variantsByPair = new Map<string, Map<string, Step>>()
for (const { source, kind, check } of readingVariants) {
  variantsByPair.set(source, (variantsByPair.get(source) ?? new Map<string, Step>()).set(kind, check))
}

/** The reading variant a message claims to be, found the way `${source}/${kind}` would name it. */
function readingVariantOf(source: unknown, kind: unknown): Step | undefined {
  if (typeof source === 'string' && typeof kind === 'string') {
    return variantsByPair.get(source)?.get(kind)
  }
  let key: string
  try {
    key = `${source as string}/${kind as string}`
  } catch {
    return undefined // e.g. {"toString": 1}: no string form, so it names no variant
  }
  return readingVariants.find((r) => `${r.source}/${r.kind}` === key)?.check
}

/**
 * Why a parsed JSON message breaks wire contract v1: the first error TypeBox reports against the variant
 * it claims to be (its `source` and `kind`; the whole union when it names none), as
 * "<instance path> <message>"; null when it conforms. Same verdict and detail as the TypeBox schemas'
 * `Errors()`, at a few per cent of its cost, so a source sending nothing but bad messages stays cheap.
 */
export function wireSchemaError(raw: unknown): string | null {
  const { source, kind } = (isObject(raw) ? raw : {}) as { source?: unknown, kind?: unknown }
  if (source === 'events') {
    return caseErrors(raw, '')
  }
  const variant = readingVariantOf(source, kind)
  if (variant) {
    return variant(raw, '')
  }
  // No variant matches, so the union fails; TypeBox lists the first variant's errors first.
  return firstReadingVariant(raw, '') ?? 'does not match wire contract v1'
}
