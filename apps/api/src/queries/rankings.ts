import { DAY_MS, HOUR_MS, inputsOf, metricValue, MINUTE_MS, type MetricDef, type RegionTree } from '@city/metrics'
import type { RankingItem, RankingOrder, RankingsResponse } from '@city/metrics/wire'
import type { Queryable } from '@city/platform'
import { alignDown, isLocalMidnight, localWall, mergeGroups, shiftLocal } from './buckets.js'
import { mergeByMetric } from './partials.js'

type Resolution = RankingsResponse['resolution']

const TABLE = { '1m': 'agg_1m', '1h': 'agg_1h', '1d': 'agg_1d' } as const

/** The coarsest rollup whose buckets tile [fromMs, toMs) exactly, or null when not even minutes do. */
export function resolutionOf(fromMs: number, toMs: number, timeZone: string): Resolution | null {
  const isOn = (unitMs: number) => fromMs % unitMs === 0 && toMs % unitMs === 0
  if (isLocalMidnight(fromMs, timeZone) && isLocalMidnight(toMs, timeZone)) {
    return '1d'
  }
  if (isOn(HOUR_MS)) {
    return '1h'
  }
  return isOn(MINUTE_MS) ? '1m' : null
}

/**
 * Start of the preceding period of equal length, ending at fromMs: as many calendar months back when the
 * range is whole months, as many local days when it is whole days, else the same number of milliseconds.
 */
function previousFromOf(fromMs: number, toMs: number, resolution: Resolution, timeZone: string): number {
  if (resolution !== '1d') {
    return fromMs - (toMs - fromMs)
  }
  const isWholeMonths = alignDown(fromMs, '1mo', timeZone) === fromMs && alignDown(toMs, '1mo', timeZone) === toMs
  if (isWholeMonths) {
    const [a, b] = [localWall(fromMs, timeZone), localWall(toMs, timeZone)]
    const months = (b.y - a.y) * 12 + b.mo - a.mo
    return shiftLocal(fromMs, { months: -months }, timeZone)
  }
  // Local days are 23 to 25 hours where clocks change.
  const days = Math.round((toMs - fromMs) / DAY_MS)
  return shiftLocal(fromMs, { days: -days }, timeZone)
}

export interface RankingsQuery {
  metric: MetricDef
  parent: string
  fromMs: number
  toMs: number
  order: RankingOrder
  timeZone: string
}

/** The parent's children ranked by the metric over [from, to) and over the preceding period of equal length. */
export async function loadRankings(db: Queryable, tree: RegionTree, q: RankingsQuery): Promise<RankingsResponse> {
  const children = tree.children(q.parent)
  const resolution = resolutionOf(q.fromMs, q.toMs, q.timeZone)!
  const previousFromMs = previousFromOf(q.fromMs, q.toMs, resolution, q.timeZone)
  const rows = await mergeGroups(db, {
    table: TABLE[resolution],
    regions: children.map((c) => c.id),
    metrics: inputsOf(q.metric),
    fromMs: previousFromMs,
    toMs: q.toMs,
    groupSql: (bind) => `(bucket >= to_timestamp(${bind(q.fromMs)} / 1000.0))::int`,
  })
  const valueOf = (region: string, isCurrent: boolean) => {
    const own = rows.filter((r) => r.region === region && r.t === (isCurrent ? 1 : 0))
    return own.length === 0 ? null : metricValue(q.metric, mergeByMetric(own))
  }
  const values = children.map((c) => valueOf(c.id, true))
  const previousValues = children.map((c) => valueOf(c.id, false))
  const ranks = rankValues(values, q.order)
  const previousRanks = rankValues(previousValues, q.order)
  const items: RankingItem[] = children.map((c, i) => ({
    region: c.id,
    name: c.name,
    value: values[i]!,
    rank: ranks[i]!,
    previousValue: previousValues[i]!,
    previousRank: previousRanks[i]!,
    rankChange: ranks[i] !== null && previousRanks[i] !== null ? previousRanks[i]! - ranks[i]! : null,
  }))
  // Stable: ties and regions without data keep the tree's order.
  items.sort((x, y) => (x.rank ?? Infinity) - (y.rank ?? Infinity))
  return {
    metric: q.metric.id, parent: q.parent, from: iso(q.fromMs), to: iso(q.toMs),
    previousFrom: iso(previousFromMs), previousTo: iso(q.fromMs), order: q.order, resolution, items,
  }
}

/**
 * Competition ranks (1, 2, 2, 4): rank 1 is the highest value for desc, the lowest for asc; null values get
 * no rank. Values equal but for float noise from summation order tie.
 */
function rankValues(values: readonly (number | null)[], order: RankingOrder): (number | null)[] {
  const ranks: (number | null)[] = values.map(() => null)
  const ranked = values.flatMap((v, i) => (v === null ? [] : [{ v, i }]))
  ranked.sort((a, b) => (order === 'desc' ? b.v - a.v : a.v - b.v))
  let rank = 0
  ranked.forEach(({ v, i }, k) => {
    if (k === 0 || !isSame(v, ranked[k - 1]!.v)) {
      rank = k + 1
    }
    ranks[i] = rank
  })
  return ranks
}

function isSame(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b))
}

function iso(ms: number): string {
  return new Date(ms).toISOString()
}
