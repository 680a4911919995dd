import { createPointLocator, type RegionTree } from '@city/metrics'
import type { RejectReason, WireMessage } from '@city/metrics/wire'
import { hashText } from './text-hash.js'

/** A registered device and the leaf region it sits in. */
export interface RegisteredDevice {
  id: string
  region: string
}

export type Resolution = { ok: true, region: string } | { ok: false, reason: RejectReason, detail: string }

/**
 * Which leaf region a message belongs to: its explicit `region`, else its registered device's, else the
 * leaf containing its `loc`. A valid `region` is accepted even from an unknown device.
 */
export function createRegionResolver(tree: RegionTree, devices: readonly RegisteredDevice[]) {
  const locator = createPointLocator(tree)
  // Leaf ids are answered with the tree's own strings: the partial tables' maps, keyed by region, then
  // compare one object per lookup instead of the text of equal strings from elsewhere.
  const leaves = new Map([...tree.regions.values()].filter((r) => r.children.length === 0).map((r) => [r.id, r.id]))
  const registered = new DeviceIndex(devices.filter((d) => d.region).map((d) => ({ id: d.id, region: tree.get(d.region)?.id ?? d.region })))

  /**
   * The leaf of a message's parts — its region; a registered device (an index of `registered`, -1 for
   * none); its loc (NaN for none) — or undefined where `resolve` says why not.
   */
  function leafOf(region: string | undefined, device: number, lon: number, lat: number): string | undefined {
    if (region !== undefined) {
      return leaves.get(region)
    }
    if (device >= 0) {
      return registered.devices[device]!.region
    }
    return Number.isNaN(lon) ? undefined : locator.locate(lon, lat)
  }

  function resolve(message: WireMessage): Resolution {
    const { region, loc } = message
    const device = message.kind === 'case' ? -1 : registered.find(message.device, 0, message.device.length)
    const leaf = leafOf(region, device, loc?.[0] ?? Number.NaN, loc?.[1] ?? Number.NaN)
    if (leaf !== undefined) {
      return { ok: true, region: leaf }
    }
    if (region !== undefined) {
      const known = tree.regions.get(region)
      return { ok: false, reason: 'unknown_region', detail: known ? `region ${region} is not a leaf (${known.level})` : `region ${region} does not exist` }
    }
    if (loc) {
      return { ok: false, reason: 'unknown_region', detail: `loc ${loc.join(',')} lies in no region` }
    }
    if (message.kind === 'case') {
      return { ok: false, reason: 'unknown_region', detail: `case ${message.case} has neither region nor loc` }
    }
    return { ok: false, reason: 'unknown_device', detail: `device ${message.device} is not registered and has neither region nor loc` }
  }

  return { leafOf, resolve, registered }
}

/**
 * Registered devices by id, found where the id stands in a message's text: no string is cut out and
 * hashed per message. Open addressing, linear probing, at most half full.
 */
class DeviceIndex {
  private readonly slots: Int32Array
  private readonly hashes: Int32Array

  constructor(readonly devices: readonly RegisteredDevice[]) {
    let size = 16
    while (size < 2 * devices.length) {
      size *= 2
    }
    this.slots = new Int32Array(size)
    this.hashes = new Int32Array(size)
    devices.forEach(({ id }, i) => {
      const hash = hashText(id)
      let slot = hash & (size - 1)
      while (this.slots[slot] !== 0) {
        slot = (slot + 1) & (size - 1)
      }
      this.slots[slot] = i + 1
      this.hashes[slot] = hash
    })
  }

  /** The index of the device whose id is text[from, to), or -1. */
  find(text: string, from: number, to: number): number {
    const hash = hashText(text, from, to)
    const mask = this.slots.length - 1
    for (let slot = hash & mask; this.slots[slot] !== 0; slot = (slot + 1) & mask) {
      const i = this.slots[slot]! - 1
      if (this.hashes[slot] === hash && isIdAt(this.devices[i]!.id, text, from, to)) {
        return i
      }
    }
    return -1
  }
}

/** Whether text[from, to) is id. */
function isIdAt(id: string, text: string, from: number, to: number): boolean {
  if (id.length !== to - from) {
    return false
  }
  for (let c = 0; c < id.length; c++) {
    if (id.charCodeAt(c) !== text.charCodeAt(from + c)) {
      return false
    }
  }
  return true
}
