import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { DEMO_CITY_FILE, DEMO_DEVICES_FILE } from '../data.js'
import { formatDevices, formatRegions } from './format.js'
import { generateCity } from './generate-city.js'

describe('generateCity', () => {
  it('reproduces the committed data files byte for byte', () => {
    const { regions, devices } = generateCity()
    expect(formatRegions(regions)).toBe(readFileSync(DEMO_CITY_FILE, 'utf8'))
    expect(formatDevices(devices)).toBe(readFileSync(DEMO_DEVICES_FILE, 'utf8'))
  })
})
