import { createPointLocator, type RegionTree } from '@city/metrics'
import type { RejectReason, WireMessage } from '@city/metrics/wire'

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
  // Resolutions are made once per region and device, not once per message.
  const byRegion = new Map<string, Resolution>()
  for (const region of tree.regions.values()) {
    byRegion.set(region.id, region.children.length > 0
      ? { ok: false, reason: 'unknown_region', detail: `region ${region.id} is not a leaf (${region.level})` }
      : { ok: true, region: region.id })
  }
  const byDevice = new Map(devices.filter((d) => d.region).map((d) => [d.id, { ok: true, region: d.region } as Resolution]))
  return (message: WireMessage): Resolution => {
    if (message.region !== undefined) {
      return byRegion.get(message.region) ?? { ok: false, reason: 'unknown_region', detail: `region ${message.region} does not exist` }
    }
    const registered = message.kind === 'case' ? undefined : byDevice.get(message.device)
    if (registered) {
      return registered
    }
    if (message.loc) {
      const found = locator.locate(message.loc[0], message.loc[1])
      return found ? { ok: true, region: found } : { ok: false, reason: 'unknown_region', detail: `loc ${message.loc.join(',')} lies in no region` }
    }
    if (message.kind === 'case') {
      return { ok: false, reason: 'unknown_region', detail: `case ${message.case} has neither region nor loc` }
    }
    return { ok: false, reason: 'unknown_device', detail: `device ${message.device} is not registered and has neither region nor loc` }
  }
}
