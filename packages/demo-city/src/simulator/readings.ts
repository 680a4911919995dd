import { smoothNoise, unitOf } from '../random.js'
import type { LocalTime } from '../time/local-clock.js'
import { airValues } from './air.js'
import type { SimDevice } from './fleet.js'
import { SALT } from './keys.js'
import { activity, lotUseOf, parkingShare, trafficDemand } from './patterns.js'

export type Values = Record<string, number>

/** Everything a reading's values depend on: a pure function of device, time and seed. */
export interface ReadingInput {
  sim: SimDevice
  timeMs: number
  local: LocalTime
  seed: number
  intervalS: number
}

export function valuesOf(input: ReadingInput): Values {
  switch (input.sim.device.kind) {
    case 'segment':
      return segmentValues(input)
    case 'parking':
      return parkingValues(input)
    case 'air':
      return airValues(input.sim, input.timeMs, input.local, input.seed)
    case 'noise':
      return noiseValues(input)
  }
}

/** Roughly normal with mean 0 and deviation 1, from three uniforms. */
function normal(key: number, salt: number, timeMs: number): number {
  return (unitOf(key, salt, timeMs, 1) + unitOf(key, salt, timeMs, 2) + unitOf(key, salt, timeMs, 3) - 1.5) * 2
}

function segmentValues({ sim, timeMs, local, intervalS }: ReadingInput): Values {
  const { key } = sim
  const freeFlow = sim.device.freeFlowKmh ?? 50
  const capacityPerHour = capacityOf(freeFlow) * (1 + 0.5 * unitOf(key, SALT.segment, 1))
  // Volume/capacity at the weekday peak: some roads jam every rush hour, others never do.
  const peakLoad = 0.7 + 0.5 * unitOf(key, SALT.segment, 2)
  const wobble = 1 + 0.2 * (smoothNoise(key + SALT.segment, timeMs, 10 * 60_000) - 0.5)
  const load = trafficDemand(local) * peakLoad * wobble
  const meanFlow = (Math.min(load, 1) * capacityPerHour * intervalS) / 3600
  const flow = Math.max(0, Math.round(meanFlow + Math.sqrt(meanFlow) * normal(key, SALT.segment + 3, timeMs)))
  const speed = (freeFlow / (1 + 1.1 * load ** 4)) * (1 + 0.08 * (unitOf(key, SALT.segment + 4, timeMs) - 0.5))
  return { flow, speed_kmh: round1(Math.max(3, speed)), free_flow_kmh: freeFlow }
}

function capacityOf(freeFlowKmh: number): number {
  if (freeFlowKmh >= 60) {
    return 3600
  }
  return freeFlowKmh >= 45 ? 1600 : 750
}

function parkingValues({ sim, timeMs, local }: ReadingInput): Values {
  const capacity = sim.device.capacity ?? 200
  const lotFactor = 0.82 + 0.22 * unitOf(sim.key, SALT.parking)
  const drift = 0.1 * (smoothNoise(sim.key + SALT.parking, timeMs, 20 * 60_000) - 0.5)
  const share = Math.min(1, Math.max(0, parkingShare(lotUseOf(sim.device.name), local) * lotFactor + drift))
  return { occupied: Math.min(capacity, Math.round(share * capacity)), capacity }
}

function noiseValues({ sim, timeMs, local }: ReadingInput): Values {
  const traffic = 9 * sim.roadside * (0.4 + 0.6 * trafficDemand(local))
  const spread = 2.5 * (unitOf(sim.key, SALT.noise, timeMs) - 0.5) + 3 * (smoothNoise(sim.key + SALT.noise, timeMs, 15 * 60_000) - 0.5)
  const laeq = 46 + 12 * activity(local) + traffic + spread
  return { laeq_db: round1(Math.min(75, Math.max(45, laeq))) }
}

function round1(value: number): number {
  return Math.round(value * 10) / 10
}
