import Type from 'typebox'
import { CaseChannel, CaseStage, RegionId } from './reading.js'
import type { SnapshotPatch } from './snapshot-patch.js'

export const RegionLevel = Type.Union([
  Type.Literal('city'), Type.Literal('district'), Type.Literal('street'), Type.Literal('community'),
])
export type RegionLevel = Type.Static<typeof RegionLevel>

export interface RegionNode {
  id: string
  name: string
  name_en: string
  level: RegionLevel
  children: RegionNode[]
}
/** The region tree as GET /api/v1/regions returns it. */
export const RegionNode = Type.Cyclic({
  RegionNode: Type.Object({
    id: Type.String(),
    name: Type.String(),
    name_en: Type.String(),
    level: RegionLevel,
    children: Type.Array(Type.Ref('RegionNode')),
  }),
}, 'RegionNode')

/** A metric's value over its "current" trailing window and since local midnight. */
export const MetricValue = Type.Object({
  current: Type.Union([Type.Number(), Type.Null()]),
  today: Type.Union([Type.Number(), Type.Null()]),
})
export type MetricValue = Type.Static<typeof MetricValue>

export const MetricValues = Type.Record(Type.String(), MetricValue)
export type MetricValues = Type.Static<typeof MetricValues>

export const ChildValues = Type.Object({
  region: RegionId,
  eventTime: Type.Union([Type.String(), Type.Null()]),
  values: MetricValues,
})
export type ChildValues = Type.Static<typeof ChildValues>

/** [epoch ms of the bucket start, value or null when the bucket has no data] */
export const TrendPoint = Type.Tuple([Type.Number(), Type.Union([Type.Number(), Type.Null()])])
export type TrendPoint = Type.Static<typeof TrendPoint>

export const CaseSummary = Type.Object({
  id: Type.String(),
  region: Type.Union([Type.String(), Type.Null()]),
  category: Type.String(),
  channel: CaseChannel,
  stage: CaseStage,
  stageAt: Type.String(),
  reportedAt: Type.String(),
  deadline: Type.Union([Type.String(), Type.Null()]),
  overdue: Type.Boolean(),
  severity: Type.Integer(),
  dept: Type.Union([Type.String(), Type.Null()]),
  title: Type.String(),
})
export type CaseSummary = Type.Static<typeof CaseSummary>

/**
 * Everything a cockpit page needs for one region: sent by GET /regions/:id/snapshot and as the socket's
 * `snapshot` and `update` events. `version` only grows; `eventTime` is the newest data in the region and
 * `committedAt` the flush it came from, so a screen can show how fresh it is.
 */
export const RegionSnapshot = Type.Object({
  region: RegionId,
  version: Type.Integer({ minimum: 0 }),
  asOf: Type.String(),
  committedAt: Type.Union([Type.String(), Type.Null()]),
  eventTime: Type.Union([Type.String(), Type.Null()]),
  stale: Type.Boolean(),
  values: MetricValues,
  children: Type.Array(ChildValues),
  trend: Type.Record(Type.String(), Type.Array(TrendPoint)),
  cases: Type.Array(CaseSummary),
})
export type RegionSnapshot = Type.Static<typeof RegionSnapshot>

/**
 * Steps of GET /series: 1m–15m merge minute rollups (UTC-aligned), 1h hourly rollups, 1d–1mo local days
 * of the city's zone (weeks start on Monday, months on the 1st).
 */
export const SeriesStep = Type.Union([
  Type.Literal('1m'), Type.Literal('5m'), Type.Literal('15m'), Type.Literal('1h'),
  Type.Literal('1d'), Type.Literal('1w'), Type.Literal('1mo'),
])
export type SeriesStep = Type.Static<typeof SeriesStep>

/** What a series is compared with: the preceding range of equal length, the week before, the year before. */
export const SeriesCompare = Type.Union([Type.Literal('prev'), Type.Literal('week'), Type.Literal('year')])
export type SeriesCompare = Type.Static<typeof SeriesCompare>

const NullableNumber = Type.Union([Type.Number(), Type.Null()])

/** A bucket's value; `compare` (only when asked for) is the value of the same bucket shifted back. */
export const SeriesPoint = Type.Object({ t: Type.String(), value: NullableNumber, compare: Type.Optional(NullableNumber) })
export type SeriesPoint = Type.Static<typeof SeriesPoint>

export const SeriesResponse = Type.Object({
  metric: Type.String(),
  region: RegionId,
  step: SeriesStep,
  /** The requested from, aligned down to the step. */
  from: Type.String(),
  to: Type.String(),
  compare: Type.Optional(SeriesCompare),
  compareFrom: Type.Optional(Type.String()),
  compareTo: Type.Optional(Type.String()),
  points: Type.Array(SeriesPoint),
})
export type SeriesResponse = Type.Static<typeof SeriesResponse>

export const RankingOrder = Type.Union([Type.Literal('desc'), Type.Literal('asc')])
export type RankingOrder = Type.Static<typeof RankingOrder>

/** One child region ranked by a metric; rank is null when it has no data, rankChange = previousRank − rank. */
export const RankingItem = Type.Object({
  region: RegionId,
  name: Type.String(),
  value: NullableNumber,
  rank: Type.Union([Type.Integer(), Type.Null()]),
  previousValue: NullableNumber,
  previousRank: Type.Union([Type.Integer(), Type.Null()]),
  rankChange: Type.Union([Type.Integer(), Type.Null()]),
})
export type RankingItem = Type.Static<typeof RankingItem>

/** GET /rankings: a parent's children over [from, to) and the preceding period [previousFrom, previousTo). */
export const RankingsResponse = Type.Object({
  metric: Type.String(),
  parent: RegionId,
  from: Type.String(),
  to: Type.String(),
  previousFrom: Type.String(),
  previousTo: Type.String(),
  order: RankingOrder,
  /** The stored rollup merged: the coarsest whose buckets tile the range exactly. */
  resolution: Type.Union([Type.Literal('1m'), Type.Literal('1h'), Type.Literal('1d')]),
  items: Type.Array(RankingItem),
})
export type RankingsResponse = Type.Static<typeof RankingsResponse>

/**
 * One department's work orders in a region: open and overdue now, and of [from, to) the cases reported,
 * closed and closed by their deadline. `dept` null: cases not yet assigned to a department.
 */
export const DepartmentRow = Type.Object({
  dept: Type.Union([Type.String(), Type.Null()]),
  name: Type.String(),
  open: Type.Integer(),
  overdue: Type.Integer(),
  reported: Type.Integer(),
  closed: Type.Integer(),
  closedOnTime: Type.Integer(),
  /** closedOnTime / closed, null when none closed. */
  onTimeRate: NullableNumber,
})
export type DepartmentRow = Type.Static<typeof DepartmentRow>

/** GET /cases/by-department: accountability per department, worst first (most overdue, then most open). */
export const DepartmentsResponse = Type.Object({
  region: RegionId,
  from: Type.String(),
  to: Type.String(),
  /** The moment "open" and "overdue" describe. */
  asOf: Type.String(),
  items: Type.Array(DepartmentRow),
})
export type DepartmentsResponse = Type.Static<typeof DepartmentsResponse>

export const QualityRow = Type.Object({ source: Type.String(), reason: Type.String(), count: Type.Integer() })
export const QualityResponse = Type.Object({
  accepted: Type.Integer(),
  /** Copies of already counted messages (redelivery, replays), dropped without counting twice. */
  duplicates: Type.Integer(),
  rejected: Type.Array(QualityRow),
})
export type QualityResponse = Type.Static<typeof QualityResponse>

export const ApiError = Type.Object({
  statusCode: Type.Integer(),
  code: Type.String(),
  error: Type.String(),
  message: Type.String(),
})

/** Socket.io namespace /live. */
export const SubscribeRequest = Type.Object({ region: RegionId })
export type SubscribeRequest = Type.Static<typeof SubscribeRequest>
export interface LiveClientEvents {
  subscribe: (request: SubscribeRequest) => void
  unsubscribe: (request: SubscribeRequest) => void
}
/**
 * `snapshot` answers a subscribe. Then every change comes as a `patch` of the snapshot the client holds,
 * or as a whole snapshot (`update`) when the client skipped one (drop to latest) or the shape changed.
 */
export interface LiveServerEvents {
  snapshot: (snapshot: RegionSnapshot) => void
  update: (snapshot: RegionSnapshot) => void
  patch: (patch: SnapshotPatch) => void
  failure: (error: { code: string, message: string }) => void
}
export { LIVE_NAMESPACE, applySnapshotPatch, diffSnapshots, isBaseOf, type SnapshotPatch, type TrendEdit } from './live.js'
