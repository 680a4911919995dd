import { describe, expect, it } from 'vitest'
import { makeTree } from '@/__fixtures__/snapshot'
import { rankChildren } from './ranking'

describe('rankChildren', () => {
  const city = makeTree()
  const child = (region: string, current: number | null) => ({ region, eventTime: null, values: { 'cases.open': { current, today: null } } })

  it('puts the highest value first', () => {
    const rows = rankChildren(city, [child('east', 3), child('west', 12), child('south', 7)], 'cases.open')
    expect(rows.map((r) => [r.name, r.value])).toEqual([['西湖区', 12], ['南湖区', 7], ['东城区', 3]])
  })

  it('ranks children without data last, never as 0', () => {
    const rows = rankChildren(city, [child('east', 0), child('west', null)], 'cases.open')
    expect(rows.map((r) => [r.id, r.value])).toEqual([['east', 0], ['west', null], ['south', null]])
  })
})
