import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { Device } from './device.js'

/** Absolute path of the demo city's regions (GeoJSON FeatureCollection). */
export const DEMO_CITY_FILE = fileURLToPath(new URL('../data/city.geojson', import.meta.url))
/** Absolute path of the demo device registry. */
export const DEMO_DEVICES_FILE = fileURLToPath(new URL('../data/devices.json', import.meta.url))

/** Reads the committed demo city; pass `regions` to loadRegionTree from @city/metrics. */
export function loadDemoCity(): { regions: unknown, devices: Device[] } {
  return {
    regions: JSON.parse(readFileSync(DEMO_CITY_FILE, 'utf8')) as unknown,
    devices: JSON.parse(readFileSync(DEMO_DEVICES_FILE, 'utf8')) as Device[],
  }
}
