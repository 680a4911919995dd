/** How a metric's partials are built and read; see aggregate/partial.ts. */
export type AggKind =
  | 'sum' // counter: Σ value
  | 'mean' // gauge: Σx / n, with min and max
  | 'weighted_mean' // Σ w·x / Σ w
  | 'ratio' // Σ numerator / Σ denominator
  | 'energy_mean' // 10·log10(mean 10^(L/10)), for sound levels
  | 'latest_sum' // Σ a / Σ b over each device's latest report
  | 'histogram' // quantile from fixed log buckets

/** Computed from other metrics' partials or from case state; never stored on its own. */
export type DerivedKind = 'aqi' | 'on_time_rate' | 'open_cases' | 'overdue_cases'

export type Domain = 'traffic' | 'environment' | 'cases'

export interface Level {
  /** Upper bound (exclusive) of this level; the last level has Infinity. */
  below: number
  name: string
  nameEn: string
  color: string
}

export interface MetricDef {
  id: string
  name: string
  nameEn: string
  unit: string
  domain: Domain
  kind: AggKind | DerivedKind
  /** Trailing window, in minutes, that "current" covers. */
  currentWindowMin: number
  decimals: number
  /** Quantile for histogram metrics. */
  quantile?: number
  levels?: readonly Level[]
}

export const TTI_LEVELS: readonly Level[] = [
  { below: 1.5, name: '畅通', nameEn: 'free flow', color: '#22c55e' },
  { below: 1.8, name: '基本畅通', nameEn: 'mostly free', color: '#a3e635' },
  { below: 2.0, name: '轻度拥堵', nameEn: 'light congestion', color: '#facc15' },
  { below: 2.2, name: '中度拥堵', nameEn: 'moderate congestion', color: '#f97316' },
  { below: Infinity, name: '严重拥堵', nameEn: 'heavy congestion', color: '#ef4444' },
]

export const AQI_LEVELS: readonly Level[] = [
  { below: 51, name: '优', nameEn: 'good', color: '#00e400' },
  { below: 101, name: '良', nameEn: 'moderate', color: '#ffff00' },
  { below: 151, name: '轻度污染', nameEn: 'lightly polluted', color: '#ff7e00' },
  { below: 201, name: '中度污染', nameEn: 'moderately polluted', color: '#ff0000' },
  { below: 301, name: '重度污染', nameEn: 'heavily polluted', color: '#99004c' },
  { below: Infinity, name: '严重污染', nameEn: 'severely polluted', color: '#7e0023' },
]

/** GB 3096-2008 class 1/2/4a daytime limits as a colour scale for street-level noise. */
export const NOISE_LEVELS: readonly Level[] = [
  { below: 55, name: '安静', nameEn: 'quiet', color: '#22c55e' },
  { below: 60, name: '较安静', nameEn: 'fairly quiet', color: '#a3e635' },
  { below: 70, name: '轻度超标', nameEn: 'slightly loud', color: '#facc15' },
  { below: 75, name: '中度超标', nameEn: 'loud', color: '#f97316' },
  { below: Infinity, name: '严重超标', nameEn: 'very loud', color: '#ef4444' },
]

export const OCCUPANCY_LEVELS: readonly Level[] = [
  { below: 0.7, name: '充足', nameEn: 'available', color: '#22c55e' },
  { below: 0.9, name: '紧张', nameEn: 'tight', color: '#facc15' },
  { below: Infinity, name: '饱和', nameEn: 'full', color: '#ef4444' },
]

const traffic = (m: Omit<MetricDef, 'domain'>): MetricDef => ({ ...m, domain: 'traffic' })
const env = (m: Omit<MetricDef, 'domain'>): MetricDef => ({ ...m, domain: 'environment' })
const cases = (m: Omit<MetricDef, 'domain'>): MetricDef => ({ ...m, domain: 'cases' })
const pollutant = (id: string, name: string, nameEn: string, unit = 'µg/m³', decimals = 0) =>
  env({ id: `env.${id}`, name, nameEn, unit, kind: 'mean', currentWindowMin: 60, decimals })

/** The metric catalog: stable ids, names, units and how each one aggregates. */
export const METRICS: readonly MetricDef[] = [
  traffic({ id: 'traffic.flow', name: '车流量', nameEn: 'Traffic flow', unit: '辆', kind: 'sum', currentWindowMin: 60, decimals: 0 }),
  traffic({ id: 'traffic.speed', name: '平均车速', nameEn: 'Average speed', unit: 'km/h', kind: 'mean', currentWindowMin: 5, decimals: 1 }),
  traffic({ id: 'traffic.speed_p15', name: '低速车速(P15)', nameEn: 'Slow-tail speed (P15)', unit: 'km/h', kind: 'histogram', quantile: 0.15, currentWindowMin: 15, decimals: 1 }),
  traffic({ id: 'traffic.tti', name: '交通拥堵指数', nameEn: 'Travel time index', unit: '', kind: 'weighted_mean', currentWindowMin: 5, decimals: 2, levels: TTI_LEVELS }),
  traffic({ id: 'traffic.parking_occupancy', name: '停车位占用率', nameEn: 'Parking occupancy', unit: '%', kind: 'latest_sum', currentWindowMin: 15, decimals: 3, levels: OCCUPANCY_LEVELS }),
  pollutant('pm25', 'PM2.5', 'PM2.5'),
  pollutant('pm10', 'PM10', 'PM10'),
  pollutant('so2', '二氧化硫', 'SO₂'),
  pollutant('no2', '二氧化氮', 'NO₂'),
  pollutant('o3', '臭氧', 'O₃'),
  pollutant('co', '一氧化碳', 'CO', 'mg/m³', 2),
  env({ id: 'env.aqi', name: '空气质量指数', nameEn: 'Air quality index', unit: '', kind: 'aqi', currentWindowMin: 60, decimals: 0, levels: AQI_LEVELS }),
  env({ id: 'env.noise', name: '环境噪声', nameEn: 'Noise level', unit: 'dB(A)', kind: 'energy_mean', currentWindowMin: 5, decimals: 1, levels: NOISE_LEVELS }),
  cases({ id: 'cases.reported', name: '上报案件', nameEn: 'Cases reported', unit: '件', kind: 'sum', currentWindowMin: 60, decimals: 0 }),
  cases({ id: 'cases.closed', name: '结案数', nameEn: 'Cases closed', unit: '件', kind: 'sum', currentWindowMin: 60, decimals: 0 }),
  cases({ id: 'cases.closed_on_time', name: '按期结案数', nameEn: 'Closed on time', unit: '件', kind: 'sum', currentWindowMin: 60, decimals: 0 }),
  cases({ id: 'cases.on_time_rate', name: '按期结案率', nameEn: 'On-time closure rate', unit: '%', kind: 'on_time_rate', currentWindowMin: 60, decimals: 3 }),
  cases({ id: 'cases.open', name: '在办案件', nameEn: 'Open cases', unit: '件', kind: 'open_cases', currentWindowMin: 0, decimals: 0 }),
  cases({ id: 'cases.overdue', name: '超期案件', nameEn: 'Overdue cases', unit: '件', kind: 'overdue_cases', currentWindowMin: 0, decimals: 0 }),
]

const byId = new Map(METRICS.map((m) => [m.id, m]))

/** The catalog entry for an id, or undefined. */
export function findMetric(id: string): MetricDef | undefined {
  return byId.get(id)
}

/** Metrics stored as partial aggregates (everything except derived ones). */
export const STORED_METRICS = METRICS.filter((m) => isStoredKind(m.kind))

export function isStoredKind(kind: MetricDef['kind']): kind is AggKind {
  return !['aqi', 'on_time_rate', 'open_cases', 'overdue_cases'].includes(kind)
}

/** The display level a value falls in, or undefined when the metric has no levels. */
export function levelOf(metric: MetricDef, value: number | null): Level | undefined {
  if (value === null || !metric.levels) {
    return undefined
  }
  return metric.levels.find((l) => value < l.below)
}
