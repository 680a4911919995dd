import { describe, expect, it } from 'vitest'
import { makeTree } from '@/__fixtures__/snapshot'
import { findPath, indexRegions, levelName } from './region-path'

describe('findPath', () => {
  const tree = makeTree()

  it('walks from the city down to a community', () => {
    expect(findPath(tree, 'east-c2')?.map((r) => r.name)).toEqual(['示范市', '东城区', '文汇街道', '桂花社区'])
  })

  it('is the root alone for the root', () => {
    expect(findPath(tree, 'demo-city')?.map((r) => r.id)).toEqual(['demo-city'])
  })

  it('is null for an id outside the tree', () => {
    expect(findPath(tree, 'nowhere')).toBeNull()
  })
})

describe('indexRegions', () => {
  it('finds every region by id', () => {
    const index = indexRegions(makeTree())
    expect(index.size).toBe(7)
    expect(index.get('east-c1')?.name).toBe('翠苑社区')
  })
})

describe('levelName', () => {
  it.each([['city', '市'], ['district', '区'], ['street', '街道'], ['community', '社区']] as const)('names %s %s', (level, name) => {
    expect(levelName(level)).toBe(name)
  })
})
