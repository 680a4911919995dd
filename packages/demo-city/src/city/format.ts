import type { Device } from '../device.js'
import type { RegionCollection } from './features.js'

/** One feature per line: diffs stay readable and the file stays small. */
export function formatRegions(collection: RegionCollection): string {
  const features = collection.features.map((f) => JSON.stringify(f)).join(',\n')
  return `{"type":"FeatureCollection","name":${JSON.stringify(collection.name)},"features":[\n${features}\n]}\n`
}

export function formatDevices(devices: readonly Device[]): string {
  return `[\n${devices.map((d) => JSON.stringify(d)).join(',\n')}\n]\n`
}
