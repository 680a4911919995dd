export type DeviceKind = 'segment' | 'parking' | 'air' | 'noise'

/** One entry of the device registry (data/devices.json). */
export interface Device {
  id: string
  kind: DeviceKind
  /** Chinese display name, e.g. 滨江大道-桂园路段. */
  name: string
  /** The leaf (community) the device sits in. */
  region: string
  /** WGS84 [lon, lat], strictly inside the region's polygon. */
  loc: [number, number]
  /** Road segments only. */
  freeFlowKmh?: number
  /** Parking lots only: number of spaces. */
  capacity?: number
}
