import type { RejectReason } from '@city/metrics/wire'
import type { LocalClock } from '../time/local-clock.js'

/** A good message as a plain object, before it is serialized. */
export type WireObject = Record<string, unknown> & { id: string }

export interface Spoiled {
  key: string
  value: string
  bad: RejectReason
}

export interface SpoilInput {
  message: WireObject
  key: string
  timeMs: number
  clock: LocalClock
  /** Numbers in [0, 1), one per salt. */
  pick: (salt: number) => number
  regionExists: (id: string) => boolean
}

const READING_REASONS: readonly RejectReason[] = [
  'invalid_json', 'schema', 'negative_value', 'absurd_value', 'bad_timestamp', 'clock_skew', 'unknown_device', 'unknown_region',
]
const CASE_REASONS: readonly RejectReason[] = ['invalid_json', 'schema', 'bad_timestamp', 'clock_skew', 'unknown_region']
const BAD_TIMESTAMPS = ['yesterday 14:05', '2026-13-45T25:61:00+08:00', 'not a timestamp at all']
const TWO_DAYS_MS = 2 * 86_400_000
// Per kind: the field to break and an absurd value for it.
const ABSURD: Record<string, [string, number]> = {
  segment: ['speed_kmh', 900], parking: ['occupied', 99_999], air: ['pm25', 99_999], noise: ['laeq_db', 300],
}
const NEGATIVE: Record<string, [string, number]> = {
  segment: ['speed_kmh', -5], parking: ['occupied', -3], air: ['pm25', -12], noise: ['laeq_db', -8],
}

/** A deliberately broken copy of a good message, with its own id and the reason the ingest must give. */
export function spoil(input: SpoilInput): Spoiled {
  const { message, pick } = input
  const reasons = message['kind'] === 'case' ? CASE_REASONS : READING_REASONS
  const bad = reasons[Math.floor(pick(1) * reasons.length)]!
  const copy: WireObject = { ...message, id: `${message.id}~bad` }
  if (bad === 'invalid_json') {
    const text = JSON.stringify(copy)
    return { key: input.key, value: text.slice(0, 1 + Math.floor(pick(2) * (text.length - 2))), bad }
  }
  const key = breakField(bad, copy, input)
  return { key, value: JSON.stringify(copy), bad }
}

/** Mutates the copy for the reason; returns the Kafka key to use. */
function breakField(bad: RejectReason, copy: WireObject, input: SpoilInput): string {
  const { pick } = input
  const kind = String(copy['kind'])
  const ghost = `ghost-${String(Math.floor(pick(3) * 10_000)).padStart(4, '0')}`
  switch (bad) {
    case 'schema':
      breakSchema(copy, pick(2))
      return input.key
    case 'negative_value':
    case 'absurd_value': {
      const [field, value] = (bad === 'absurd_value' ? ABSURD : NEGATIVE)[kind]!
      copy['values'] = { ...(copy['values'] as object), [field]: value }
      return input.key
    }
    case 'bad_timestamp':
      copy['ts'] = BAD_TIMESTAMPS[Math.floor(pick(2) * BAD_TIMESTAMPS.length)]
      return input.key
    case 'clock_skew':
      copy['ts'] = input.clock.format(input.timeMs + TWO_DAYS_MS)
      return input.key
    case 'unknown_device':
      copy['device'] = ghost
      delete copy['region']
      delete copy['loc']
      return ghost
    default:
      return unknownRegion(copy, input, ghost)
  }
}

function unknownRegion(copy: WireObject, input: SpoilInput, ghost: string): string {
  let region = `nowhere-${Math.floor(input.pick(4) * 1000)}`
  while (input.regionExists(region)) {
    region = `${region}-x`
  }
  copy['region'] = region
  delete copy['loc']
  if (copy['kind'] === 'case') {
    return input.key
  }
  // An unregistered device, so the region is the only thing that could place the reading.
  copy['device'] = ghost
  return ghost
}

function breakSchema(copy: WireObject, u: number): void {
  const variant = Math.floor(u * 5)
  if (variant === 4) {
    // Valid JSON that no text column can store: an unpaired surrogate, a NUL.
    if (copy['kind'] === 'case') {
      copy['title'] = `${String(copy['title'])}\u0000`
    } else {
      copy.id = `${copy.id}\ud800`
    }
  } else if (variant === 0) {
    delete copy['ts']
  } else if (variant === 1) {
    copy['v'] = 2
  } else if (copy['kind'] === 'case' && variant === 2) {
    copy['severity'] = 9
  } else if (copy['kind'] === 'case') {
    copy['channel'] = 'fax'
  } else if (variant === 2) {
    copy['kind'] = 'radar'
  } else {
    const values = copy['values'] as Record<string, unknown>
    const [field] = Object.keys(values)
    copy['values'] = { ...values, [field!]: String(values[field!]) }
  }
}
