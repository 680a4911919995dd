import { METRICS, type MetricDef } from '@city/metrics'
import type { SeriesCompare, SeriesPoint, SeriesStep } from '@city/metrics/wire'

/** The periods an analyst picks from, each with the step that gives it a readable number of points. */
export const HISTORY_RANGES = [
  { id: '24h', label: '近24小时', ms: 86_400_000, step: '15m' },
  { id: '7d', label: '近7天', ms: 7 * 86_400_000, step: '1h' },
  { id: '30d', label: '近30天', ms: 30 * 86_400_000, step: '1d' },
  { id: '365d', label: '近一年', ms: 365 * 86_400_000, step: '1w' },
] as const satisfies readonly { id: string, label: string, ms: number, step: SeriesStep }[]
export type HistoryRangeId = (typeof HISTORY_RANGES)[number]['id']

export const COMPARES = [
  { id: 'none', label: '不对比' },
  { id: 'prev', label: '环比上期' },
  { id: 'week', label: '同比上周' },
  { id: 'year', label: '同比去年' },
] as const satisfies readonly { id: SeriesCompare | 'none', label: string }[]
export type CompareId = (typeof COMPARES)[number]['id']

const STEP_MS: Partial<Record<SeriesStep, number>> = { '15m': 900_000, '1h': 3_600_000, '1d': 86_400_000, '1w': 7 * 86_400_000 }
const STEP_NAMES: Record<SeriesStep, string> = { '1m': '每分钟', '5m': '每5分钟', '15m': '每15分钟', '1h': '每小时', '1d': '每日', '1w': '每周', '1mo': '每月' }

export function stepName(step: SeriesStep): string {
  return STEP_NAMES[step]
}

/** Metrics with stored history (open and overdue work orders are current states only). */
export const HISTORY_METRICS: readonly MetricDef[] = METRICS.filter((m) => m.kind !== 'open_cases' && m.kind !== 'overdue_cases')

export interface HistoryQuery {
  region: string
  metric: string
  range: HistoryRangeId
  compare: CompareId
}

/** The query a page URL asks for, anything missing or unknown replaced by the default. */
export function historyQueryOf(query: Record<string, unknown>, rootRegion: string): HistoryQuery {
  const text = (key: string) => (typeof query[key] === 'string' ? query[key] : undefined)
  const range = HISTORY_RANGES.find((r) => r.id === text('range'))?.id ?? '24h'
  const compare = COMPARES.find((c) => c.id === text('compare'))?.id ?? 'prev'
  const metric = HISTORY_METRICS.find((m) => m.id === text('metric'))?.id ?? 'traffic.flow'
  return { region: text('region') ?? rootRegion, metric, range, compare }
}

/** The range [from, to) ending now: to is the end of the current step, so the last bucket is the one being filled. */
export function historyWindow(range: HistoryRangeId, nowMs: number): { fromMs: number, toMs: number, step: SeriesStep } {
  const { ms, step } = HISTORY_RANGES.find((r) => r.id === range)!
  const stepMs = Math.min(STEP_MS[step]!, 3_600_000)
  // Days and weeks are aligned by the server to the city's midnight; whole hours are enough here.
  const toMs = Math.ceil((nowMs + 1) / stepMs) * stepMs
  return { fromMs: toMs - ms, toMs, step }
}

const API = '/api/v1'

/** GET /series for the query at nowMs (as CSV with csv set: the link the export button opens). */
export function seriesUrl(q: HistoryQuery, nowMs: number, csv = false): string {
  const { fromMs, toMs, step } = historyWindow(q.range, nowMs)
  const params = new URLSearchParams({ metric: q.metric, region: q.region, from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString(), step })
  if (q.compare !== 'none') {
    params.set('compare', q.compare)
  }
  if (csv) {
    params.set('format', 'csv')
  }
  return `${API}/series?${params}`
}

/** GET /rankings of the region's children over the query's range. */
export function rankingsUrl(q: HistoryQuery, nowMs: number, csv = false): string {
  const { fromMs, toMs } = historyWindow(q.range, nowMs)
  const params = new URLSearchParams({ metric: q.metric, parent: q.region, from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString() })
  if (csv) {
    params.set('format', 'csv')
  }
  return `${API}/rankings?${params}`
}

/**
 * Leaves out the bucket still being filled: for a counter (vehicles, work orders) its partial sum would
 * read as a sudden drop, and as the lowest value of the range.
 */
export function completeBuckets(points: readonly SeriesPoint[], step: SeriesStep, nowMs: number): SeriesPoint[] {
  const stepMs = STEP_MS[step] ?? 0
  return points.filter((p) => Date.parse(p.t) + stepMs <= nowMs)
}

/** GET /cases/by-department: the region's work orders per department over the query's range. */
export function departmentsUrl(q: HistoryQuery, nowMs: number): string {
  const { fromMs, toMs } = historyWindow(q.range, nowMs)
  return `${API}/cases/by-department?${new URLSearchParams({ region: q.region, from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString() })}`
}

export interface SeriesSummary {
  /** Highest and lowest bucket value, with the bucket's start. */
  max: { t: string, value: number } | null
  min: { t: string, value: number } | null
  /** Mean over the buckets that have a value, and over the compared buckets. */
  mean: number | null
  compareMean: number | null
  /** mean / compareMean − 1, when both exist and the compared mean is not 0. */
  change: number | null
}

/** What the summary cards show, from the series points alone. */
export function summarize(points: readonly SeriesPoint[]): SeriesSummary {
  let max: SeriesSummary['max'] = null
  let min: SeriesSummary['min'] = null
  const mean = (values: (number | null | undefined)[]) => {
    const present = values.filter((v): v is number => typeof v === 'number')
    return present.length === 0 ? null : present.reduce((a, b) => a + b, 0) / present.length
  }
  for (const { t, value } of points) {
    if (value === null) {
      continue
    }
    if (!max || value > max.value) {
      max = { t, value }
    }
    if (!min || value < min.value) {
      min = { t, value }
    }
  }
  const current = mean(points.map((p) => p.value))
  const compared = mean(points.map((p) => p.compare))
  return { max, min, mean: current, compareMean: compared, change: current !== null && compared ? current / compared - 1 : null }
}
