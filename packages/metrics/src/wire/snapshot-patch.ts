import type { CaseSummary, ChildValues, MetricValue, MetricValues, RegionSnapshot, TrendPoint } from './api.js'

/**
 * What changed from one snapshot of a region to the next (the socket's `patch` event). A snapshot is
 * ~25 kB and most of it (trend history, quiet children, unchanged cases) repeats from one second to the
 * next; a patch carries the freshness head and only what differs, so a room's update costs a few kB per
 * client. It applies to exactly one snapshot, its `base`; a receiver holding anything else asks again.
 */
export interface SnapshotPatch extends Pick<RegionSnapshot, 'region' | 'version' | 'asOf' | 'committedAt' | 'eventTime' | 'stale'> {
  /** The snapshot this patch applies to: the receiver's must have exactly this version and asOf. */
  base: { version: number, asOf: string }
  /** Metrics whose values changed. */
  values?: MetricValues
  /**
   * Children whose eventTime or values changed, with the metrics that changed (every child changes every
   * second, most of its metrics do not); the list and its order are the base's.
   */
  children?: ChildValues[]
  /** Per changed metric: `drop` points off the front of the base's series, keep the next `keep`, append `tail`. */
  trend?: Record<string, TrendEdit>
  /** The recent cases in order by id; `changed` holds those new or different from the base's. */
  cases?: { ids: string[], changed: CaseSummary[] }
}

export interface TrendEdit { drop: number, keep: number, tail: TrendPoint[] }

/** Whether `patch` applies to `snapshot`. */
export const isBaseOf = (snapshot: RegionSnapshot | null | undefined, patch: SnapshotPatch): boolean =>
  snapshot != null && snapshot.region === patch.region && snapshot.version === patch.base.version && snapshot.asOf === patch.base.asOf

/**
 * The patch that turns `base` into `next`, or null when their shapes differ (another region, another
 * set of metrics or children): then the whole snapshot is sent.
 */
export function diffSnapshots(base: RegionSnapshot, next: RegionSnapshot): SnapshotPatch | null {
  if (base.region !== next.region || !sameKeys(base.values, next.values) || !sameKeys(base.trend, next.trend)
    || base.children.length !== next.children.length
    || base.children.some((c, i) => c.region !== next.children[i]!.region || !sameKeys(c.values, next.children[i]!.values))) {
    return null
  }
  const { region, version, asOf, committedAt, eventTime, stale } = next
  const patch: SnapshotPatch = { region, version, asOf, committedAt, eventTime, stale, base: { version: base.version, asOf: base.asOf } }

  const values = changedValues(base.values, next.values)
  if (values) {
    patch.values = values
  }
  const children: ChildValues[] = []
  next.children.forEach((child, i) => {
    const was = base.children[i]!
    const changed = changedValues(was.values, child.values)
    if (changed || child.eventTime !== was.eventTime) {
      children.push({ region: child.region, eventTime: child.eventTime, values: changed ?? {} })
    }
  })
  if (children.length > 0) {
    patch.children = children
  }
  const trend: Record<string, TrendEdit> = {}
  for (const metric of Object.keys(next.trend)) {
    const edit = trendEdit(base.trend[metric]!, next.trend[metric]!)
    if (edit) {
      trend[metric] = edit
    }
  }
  if (Object.keys(trend).length > 0) {
    patch.trend = trend
  }
  const cases = casesEdit(base.cases, next.cases)
  if (cases) {
    patch.cases = cases
  }
  return patch
}

/** The snapshot `patch` makes of `base`, or null when `base` is not the patch's base. */
export function applySnapshotPatch(base: RegionSnapshot, patch: SnapshotPatch): RegionSnapshot | null {
  if (!isBaseOf(base, patch)) {
    return null
  }
  const { region, version, asOf, committedAt, eventTime, stale } = patch
  const changedChildren = new Map(patch.children?.map((child) => [child.region, child]))
  const patchChild = (child: ChildValues): ChildValues => {
    const changed = changedChildren.get(child.region)
    return changed ? { region: child.region, eventTime: changed.eventTime, values: { ...child.values, ...changed.values } } : child
  }
  const trend: Record<string, TrendPoint[]> = {}
  for (const [metric, series] of Object.entries(base.trend)) {
    const edit = patch.trend?.[metric]
    trend[metric] = edit ? series.slice(edit.drop, edit.drop + edit.keep).concat(edit.tail) : series
  }
  let cases = base.cases
  if (patch.cases) {
    const byId = new Map(base.cases.map((c) => [c.id, c]))
    patch.cases.changed.forEach((c) => byId.set(c.id, c))
    if (!patch.cases.ids.every((id) => byId.has(id))) {
      return null
    }
    cases = patch.cases.ids.map((id) => byId.get(id)!)
  }
  return {
    region, version, asOf, committedAt, eventTime, stale,
    values: patch.values ? { ...base.values, ...patch.values } : base.values,
    children: patch.children ? base.children.map(patchChild) : base.children,
    trend,
    cases,
  }
}

function sameKeys(a: object, b: object): boolean {
  const ka = Object.keys(a)
  const kb = Object.keys(b)
  return ka.length === kb.length && ka.every((k, i) => k === kb[i])
}

const sameValue = (a: MetricValue, b: MetricValue) => a.current === b.current && a.today === b.today

/** The metrics of `next` whose value differs from `base`'s (both have the same metrics), or null. */
function changedValues(base: MetricValues, next: MetricValues): MetricValues | null {
  let changed: MetricValues | null = null
  for (const [metric, value] of Object.entries(next)) {
    const was = base[metric]
    if (!was || !sameValue(was, value)) {
      changed ??= {}
      changed[metric] = value
    }
  }
  return changed
}

/**
 * A trend series moves on by whole buckets and changes at its end: keep the longest run of the base
 * that starts where the next series starts and matches it point for point, send the rest.
 */
function trendEdit(base: TrendPoint[], next: TrendPoint[]): TrendEdit | null {
  const start = next.length === 0 ? -1 : base.findIndex((p) => p[0] === next[0]![0])
  const drop = start < 0 ? base.length : start
  let keep = 0
  while (drop + keep < base.length && keep < next.length && base[drop + keep]![0] === next[keep]![0] && base[drop + keep]![1] === next[keep]![1]) {
    keep++
  }
  if (drop === 0 && keep === base.length && keep === next.length) {
    return null
  }
  return { drop, keep, tail: next.slice(keep) }
}

function casesEdit(base: CaseSummary[], next: CaseSummary[]): SnapshotPatch['cases'] | null {
  const before = new Map(base.map((c) => [c.id, JSON.stringify(c)]))
  const changed = next.filter((c) => before.get(c.id) !== JSON.stringify(c))
  if (changed.length === 0 && base.length === next.length && base.every((c, i) => c.id === next[i]!.id)) {
    return null
  }
  return { ids: next.map((c) => c.id), changed }
}
