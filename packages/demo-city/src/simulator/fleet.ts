import { containsPoint, type RegionTree } from '@city/metrics'
import type { Device } from '../device.js'
import { hashInts, hashString, unitOf } from '../random.js'
import { SALT } from './keys.js'

/** A device as the simulator drives it. */
export interface SimDevice {
  /** Id on the wire: the registry id, or for unregistered devices an id the registry does not know. */
  id: string
  device: Device
  /** Hash of seed and id, the root of every random value of this device. */
  key: number
  /** Offset of this device's reports within the report interval. */
  phaseMs: number
  /** Unregistered devices report their position instead of relying on the registry. */
  loc?: [number, number]
  /** 0 (quiet street) … 1 (next to fast, busy roads): how much traffic a noise station hears. */
  roadside: number
}

const UNREGISTERED_SHARE = 0.05

/** The registry plus ~5% unregistered twins placed near a registered device in the same community. */
export function createFleet(devices: readonly Device[], tree: RegionTree, seed: number, intervalMs: number): SimDevice[] {
  const segments = devices.filter((d) => d.kind === 'segment')
  const fleet: SimDevice[] = []
  for (const device of devices) {
    const roadside = device.kind === 'noise' ? roadsideOf(device, segments) : 0
    fleet.push(simDevice(device.id, device, seed, intervalMs, roadside))
    if (unitOf(seed, hashString(device.id), SALT.unregistered) < UNREGISTERED_SHARE) {
      const twin = simDevice(`ext-${device.id}`, device, seed, intervalMs, roadside)
      fleet.push({ ...twin, loc: twinLocation(device, tree, twin.key) })
    }
  }
  return fleet
}

function simDevice(id: string, device: Device, seed: number, intervalMs: number, roadside: number): SimDevice {
  const key = hashInts(seed, hashString(id))
  const phaseMs = Math.floor(unitOf(key, SALT.phase) * (intervalMs / 1000)) * 1000
  return { id, device, key, phaseMs, roadside }
}

function twinLocation(device: Device, tree: RegionTree, key: number): [number, number] {
  const geometry = tree.get(device.region)?.geometry
  for (let attempt = 0; geometry && attempt < 20; attempt++) {
    const lon = round6(device.loc[0] + (unitOf(key, SALT.cloneLoc, attempt, 0) - 0.5) * 0.002)
    const lat = round6(device.loc[1] + (unitOf(key, SALT.cloneLoc, attempt, 1) - 0.5) * 0.002)
    if (containsPoint(geometry, lon, lat)) {
      return [lon, lat]
    }
  }
  return device.loc
}

function roadsideOf(station: Device, segments: readonly Device[]): number {
  let load = 0
  for (const segment of segments) {
    const km = approxKm(station.loc, segment.loc)
    if (km < 0.6) {
      load += ((segment.freeFlowKmh ?? 40) / 80) * (1 - km / 0.6)
    }
  }
  return Math.min(1, load / 1.5)
}

function approxKm([lon1, lat1]: [number, number], [lon2, lat2]: [number, number]): number {
  const dx = (lon2 - lon1) * 111.32 * Math.cos((lat1 * Math.PI) / 180)
  return Math.hypot(dx, (lat2 - lat1) * 110.574)
}

function round6(value: number): number {
  return Math.round(value * 1e6) / 1e6
}
