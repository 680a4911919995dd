import { containsPoint, loadRegionTree, type Region } from '@city/metrics'
import { statSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { HUB_DISTRICT_ID } from './city/plan.js'
import { DEMO_CITY_FILE, DEMO_DEVICES_FILE, loadDemoCity } from './data.js'

const { regions, devices } = loadDemoCity()
const tree = loadRegionTree(regions)

function ringOf(region: Region): number[][] {
  if (region.geometry?.type !== 'Polygon') {
    throw new Error(`${region.id} has no polygon`)
  }
  return region.geometry.coordinates[0]!
}

function areaOf(ring: number[][]): number {
  let sum = 0
  for (let i = 1; i < ring.length; i++) {
    sum += ring[i - 1]![0]! * ring[i]![1]! - ring[i]![0]! * ring[i - 1]![1]!
  }
  return sum / 2
}

const parents = [...tree.regions.values()].filter((r) => r.children.length > 0)

describe('demo city regions', () => {
  it('loads as a region tree with one demo city on top', () => {
    expect(tree.root).toMatchObject({ id: 'demo', level: 'city', name: '示范市（演示）', nameEn: 'Demo City (fictional)' })
    expect(tree.children('demo').length).toBeGreaterThanOrEqual(3)
    expect(tree.leaves().every((r) => r.level === 'community')).toBe(true)
  })

  it('has the 1+8+X district: 8 streets and 75 communities', () => {
    const streets = tree.children(HUB_DISTRICT_ID)
    expect(streets).toHaveLength(8)
    expect(streets.flatMap((s) => tree.children(s.id))).toHaveLength(75)
  })

  it('keeps the other districts smaller', () => {
    for (const district of tree.children('demo').filter((d) => d.id !== HUB_DISTRICT_ID)) {
      const streets = tree.children(district.id)
      expect(streets.length).toBeGreaterThanOrEqual(3)
      expect(streets.length).toBeLessThanOrEqual(5)
      streets.forEach((s) => expect(tree.children(s.id).length).toBeGreaterThanOrEqual(3))
      streets.forEach((s) => expect(tree.children(s.id).length).toBeLessThanOrEqual(6))
    }
  })

  it('gives every region a closed, counter-clockwise polygon near the invented location', () => {
    for (const region of tree.regions.values()) {
      const ring = ringOf(region)
      expect(ring[0]).toEqual(ring.at(-1))
      expect(ring.length).toBeGreaterThanOrEqual(4)
      expect(areaOf(ring)).toBeGreaterThan(0)
      ring.forEach(([lon, lat]) => {
        expect(Math.abs(lon! - 120.2)).toBeLessThan(0.3)
        expect(Math.abs(lat! - 30.3)).toBeLessThan(0.3)
      })
    }
  })

  it.each(parents.map((p) => [p.id, p] as const))('%s is tiled by its children', (_, parent) => {
    const children = tree.children(parent.id)
    const total = children.reduce((sum, c) => sum + areaOf(ringOf(c)), 0)
    expect(Math.abs(total / areaOf(ringOf(parent)) - 1)).toBeLessThan(0.005)
    const border = new Set(ringOf(parent).map((p) => p.join(',')))
    for (const child of children) {
      const outside = ringOf(child).filter(([lon, lat]) => !border.has(`${lon},${lat}`) && !containsPoint(parent.geometry!, lon!, lat!))
      expect(outside).toEqual([])
    }
  })

  it('stays well under 1 MB', () => {
    expect(statSync(DEMO_CITY_FILE).size).toBeLessThan(500_000)
  })
})

describe('demo device registry', () => {
  const count = (kind: string) => devices.filter((d) => d.kind === kind).length
  const streets = tree.children('demo').flatMap((d) => tree.children(d.id))

  it('has about 300 segments, 80 lots, 1–2 air stations and one noise station per street', () => {
    expect(count('segment')).toBe(300)
    expect(count('parking')).toBe(80)
    expect(count('air')).toBeGreaterThanOrEqual(streets.length)
    expect(count('air')).toBeLessThanOrEqual(2 * streets.length)
    expect(count('noise')).toBe(streets.length)
    expect(statSync(DEMO_DEVICES_FILE).size).toBeLessThan(200_000)
  })

  it('uses unique, readable ids and names', () => {
    expect(new Set(devices.map((d) => d.id)).size).toBe(devices.length)
    expect(new Set(devices.map((d) => d.name)).size).toBe(devices.length)
    devices.forEach((d) => expect(d.id).toMatch(/^(seg-\d{4}|park-\d{3}|air-\d{2}|noise-\d{2})$/))
  })

  it('puts every device strictly inside the leaf community it names', () => {
    for (const device of devices) {
      const region = tree.get(device.region)
      expect(region?.children, device.id).toEqual([])
      expect(containsPoint(region!.geometry!, device.loc[0], device.loc[1]), device.id).toBe(true)
    }
  })

  it('is denser in the 1+8+X district', () => {
    const inHub = devices.filter((d) => d.kind === 'segment' && tree.get(d.region)!.lineage.includes(HUB_DISTRICT_ID))
    expect(inHub.length / count('segment')).toBeGreaterThan(0.5)
  })

  it('gives segments a free-flow speed and lots a capacity in range', () => {
    for (const device of devices) {
      if (device.kind === 'segment') {
        expect(device.freeFlowKmh).toBeGreaterThanOrEqual(30)
        expect(device.freeFlowKmh).toBeLessThanOrEqual(80)
      }
      if (device.kind === 'parking') {
        expect(device.capacity).toBeGreaterThanOrEqual(50)
        expect(device.capacity).toBeLessThanOrEqual(800)
      }
    }
  })
})
