import { writeFileSync } from 'node:fs'
import { generateCity } from '../src/city/generate-city.js'
import { DEMO_CITY_FILE, DEMO_DEVICES_FILE } from '../src/data.js'
import { formatRegions, formatDevices } from '../src/city/format.js'

const { regions, devices } = generateCity()
writeFileSync(DEMO_CITY_FILE, formatRegions(regions))
writeFileSync(DEMO_DEVICES_FILE, formatDevices(devices))
console.log(`wrote ${regions.features.length} regions to ${DEMO_CITY_FILE} and ${devices.length} devices to ${DEMO_DEVICES_FILE}`)
