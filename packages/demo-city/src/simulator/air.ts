import { smoothNoise, unitOf } from '../random.js'
import type { LocalTime } from '../time/local-clock.js'
import type { SimDevice } from './fleet.js'
import { SALT } from './keys.js'
import { ozoneShape, particleShape, trafficDemand } from './patterns.js'

const BLOCK_MS = 6 * 3_600_000
const EPISODE_CHANCE = 0.07
const LONGEST_EPISODE_BLOCKS = 7

/**
 * Regional pollution episodes: each 6-hour block may start one that builds up and clears over 10–36 hours,
 * adding up to ~160 µg/m³ of PM2.5 across the whole city.
 */
function episodePm25(seed: number, timeMs: number): number {
  const current = Math.floor(timeMs / BLOCK_MS)
  let level = 0
  for (let block = current - LONGEST_EPISODE_BLOCKS; block <= current; block++) {
    if (unitOf(seed, SALT.episode, block) >= EPISODE_CHANCE) {
      continue
    }
    const start = (block + unitOf(seed, SALT.episode, block, 1)) * BLOCK_MS
    const duration = (10 + 26 * unitOf(seed, SALT.episode, block, 2)) * 3_600_000
    const peak = 60 + 100 * unitOf(seed, SALT.episode, block, 3)
    const x = (timeMs - start) / duration
    if (x > 0 && x < 1) {
      level += peak * Math.sin(Math.PI * x) ** 2
    }
  }
  return level
}

/** Reference stations report all six pollutants; micro stations (微站) only particles. */
export function airValues(sim: SimDevice, timeMs: number, local: LocalTime, seed: number): Record<string, number> {
  const { key } = sim
  const site = 0.85 + 0.3 * unitOf(key, SALT.air)
  const wiggle = (salt: number, minutes: number) => smoothNoise(key + SALT.air + salt, timeMs, minutes * 60_000) - 0.5
  const episode = episodePm25(seed, timeMs) * (0.9 + 0.2 * unitOf(key, SALT.air, 1))
  const traffic = trafficDemand(local)
  const pm25 = Math.max(3, (18 + 18 * particleShape(local.hour) + 8 * traffic) * site + episode + 8 * wiggle(1, 30))
  const pm10 = pm25 * (1.35 + 0.4 * unitOf(key, SALT.air, 2)) + 10 * (wiggle(2, 45) + 0.5)
  if (sim.device.name.includes('微站')) {
    return { pm25: round1(pm25), pm10: round1(pm10) }
  }
  const ozoneDamping = 1 - 0.35 * Math.min(1, episode / 120)
  return {
    pm25: round1(pm25),
    pm10: round1(pm10),
    so2: round1(Math.max(2, 5 + 6 * (wiggle(3, 90) + 0.5) + 0.04 * episode)),
    no2: round1(Math.max(5, 12 + 40 * traffic * site + 0.15 * episode + 8 * wiggle(4, 20))),
    o3: round1(Math.max(4, 14 + 135 * ozoneShape(local.hour) * ozoneDamping + 12 * wiggle(5, 40))),
    co: Math.round(Math.min(2, Math.max(0.3, 0.32 + pm25 / 110 + 0.12 * wiggle(6, 30))) * 100) / 100,
  }
}

function round1(value: number): number {
  return Math.round(value * 10) / 10
}
