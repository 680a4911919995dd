/**
 * Air quality index per HJ 633-2012 (环境空气质量指数技术规定). The hourly (real-time) AQI uses 1-hour
 * means with the 1-hour breakpoints for SO₂, NO₂, CO and O₃ and the 24-hour breakpoints for PM10 and PM2.5.
 */
const IAQI = [0, 50, 100, 150, 200, 300, 400, 500]

/** Breakpoints per pollutant (µg/m³; CO in mg/m³). */
const BREAKPOINTS = {
  so2: [0, 150, 500, 650, 800],
  so2_24h: [0, 50, 150, 475, 800, 1600, 2100, 2620],
  no2: [0, 100, 200, 700, 1200, 2340, 3090, 3840],
  pm10: [0, 50, 150, 250, 350, 420, 500, 600],
  co: [0, 5, 10, 35, 60, 90, 120, 150],
  o3: [0, 160, 200, 300, 400, 800, 1000, 1200],
  pm25: [0, 35, 75, 115, 150, 250, 350, 500],
} as const

export type Pollutant = 'pm25' | 'pm10' | 'so2' | 'no2' | 'o3' | 'co'
export const POLLUTANTS: readonly Pollutant[] = ['pm25', 'pm10', 'so2', 'no2', 'o3', 'co']

/** Individual index of one pollutant's concentration; 500 above the top breakpoint. */
export function iaqi(pollutant: Pollutant, concentration: number): number {
  // Above 800 µg/m³ the 1-hour SO₂ table ends; the standard reports the 24-hour index instead.
  const table = pollutant === 'so2' && concentration > 800 ? BREAKPOINTS.so2_24h : BREAKPOINTS[pollutant]
  if (concentration <= 0) {
    return 0
  }
  for (let i = 1; i < table.length; i++) {
    const hi = table[i]!
    if (concentration <= hi) {
      const lo = table[i - 1]!
      const raw = ((IAQI[i]! - IAQI[i - 1]!) / (hi - lo)) * (concentration - lo) + IAQI[i - 1]!
      // Float noise (PM10 352.1 → 203.00000000000003) must not round a whole index up by one.
      return Math.ceil(raw - 1e-9)
    }
  }
  return 500
}

export interface AqiResult {
  aqi: number
  /** Pollutants whose IAQI equals the AQI, when AQI > 50 (首要污染物). */
  primary: Pollutant[]
}

/** AQI from mean concentrations; null when no pollutant has data. */
export function aqiOf(means: Partial<Record<Pollutant, number | null>>): AqiResult | null {
  let aqi = -1
  const indexes: [Pollutant, number][] = []
  for (const p of POLLUTANTS) {
    const c = means[p]
    if (c === null || c === undefined) {
      continue
    }
    const i = iaqi(p, c)
    indexes.push([p, i])
    aqi = Math.max(aqi, i)
  }
  if (aqi < 0) {
    return null
  }
  const primary = aqi > 50 ? indexes.filter(([, i]) => i === aqi).map(([p]) => p) : []
  return { aqi, primary }
}
