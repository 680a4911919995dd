import Type from 'typebox'

/** Region ids are short lowercase slugs; they appear in URLs and Kafka keys. */
export const RegionId = Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,63}$', description: 'region id' })

export const LonLat = Type.Tuple([
  Type.Number({ minimum: -180, maximum: 180 }),
  Type.Number({ minimum: -90, maximum: 90 }),
])
export type LonLat = Type.Static<typeof LonLat>

const Base = {
  v: Type.Literal(1),
  id: Type.String({ minLength: 1, maxLength: 128 }),
  ts: Type.String({ minLength: 10, maxLength: 40 }),
  region: Type.Optional(RegionId),
  loc: Type.Optional(LonLat),
}

const Values = <T extends Record<string, Type.TSchema>>(fields: T) =>
  Type.Object(fields, { additionalProperties: false, minProperties: 1 })

const num = Type.Number()
const opt = Type.Optional(num)

/** One traffic or environment reading (topics city.traffic, city.environment). */
export const Reading = Type.Union([
  Type.Object({ ...Base, source: Type.Literal('traffic'), kind: Type.Literal('segment'), device: Type.String({ minLength: 1 }), values: Values({ flow: num, speed_kmh: num, free_flow_kmh: num }) }),
  Type.Object({ ...Base, source: Type.Literal('traffic'), kind: Type.Literal('parking'), device: Type.String({ minLength: 1 }), values: Values({ occupied: num, capacity: num }) }),
  Type.Object({ ...Base, source: Type.Literal('environment'), kind: Type.Literal('air'), device: Type.String({ minLength: 1 }), values: Values({ pm25: opt, pm10: opt, so2: opt, no2: opt, o3: opt, co: opt }) }),
  Type.Object({ ...Base, source: Type.Literal('environment'), kind: Type.Literal('noise'), device: Type.String({ minLength: 1 }), values: Values({ laeq_db: num }) }),
])
export type Reading = Type.Static<typeof Reading>

export const CaseStage = Type.Union([
  Type.Literal('reported'), Type.Literal('registered'), Type.Literal('dispatched'), Type.Literal('handled'),
  Type.Literal('closed'), Type.Literal('reopened'), Type.Literal('cancelled'),
])
export type CaseStage = Type.Static<typeof CaseStage>

export const CaseChannel = Type.Union([
  Type.Literal('hotline'), Type.Literal('grid'), Type.Literal('camera'), Type.Literal('app'), Type.Literal('sensor'),
])
export type CaseChannel = Type.Static<typeof CaseChannel>

/** One stage transition of a work order (topic city.events). */
export const CaseEvent = Type.Object({
  ...Base,
  source: Type.Literal('events'),
  kind: Type.Literal('case'),
  case: Type.String({ minLength: 1, maxLength: 128 }),
  stage: CaseStage,
  category: Type.String({ minLength: 1, maxLength: 64 }),
  channel: CaseChannel,
  dept: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  deadline: Type.Optional(Type.String({ minLength: 10, maxLength: 40 })),
  severity: Type.Integer({ minimum: 1, maximum: 4 }),
  title: Type.String({ maxLength: 200 }),
})
export type CaseEvent = Type.Static<typeof CaseEvent>

export const WireMessage = Type.Union([Reading, CaseEvent])
export type WireMessage = Reading | CaseEvent

export const TOPICS = {
  traffic: 'city.traffic',
  environment: 'city.environment',
  events: 'city.events',
  deadletter: 'city.deadletter',
} as const
export type SourceTopic = (typeof TOPICS)['traffic' | 'environment' | 'events']

/** Why a message went to the dead-letter topic. */
export const REJECT_REASONS = [
  'invalid_json', 'schema', 'negative_value', 'absurd_value', 'bad_timestamp', 'clock_skew', 'too_late',
  'unknown_region', 'unknown_device', 'wrong_topic',
] as const
export type RejectReason = (typeof REJECT_REASONS)[number]
