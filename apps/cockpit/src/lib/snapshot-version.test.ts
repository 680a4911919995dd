import { describe, expect, it } from 'vitest'
import { makeSnapshot } from '@/__fixtures__/snapshot'
import { shouldAccept } from './snapshot-version'

describe('shouldAccept', () => {
  const shown = makeSnapshot({ version: 10 })

  it.each([
    { case: 'a newer update', incoming: { version: 11 }, event: 'update', expected: true },
    { case: 'an update of the same version', incoming: { version: 10 }, event: 'update', expected: true },
    { case: 'an older update', incoming: { version: 9 }, event: 'update', expected: false },
    { case: 'an update for the region just left', incoming: { version: 99, region: 'east' }, event: 'update', expected: false },
    { case: 'a fresh snapshot after reconnecting, even with a restarted version', incoming: { version: 1 }, event: 'snapshot', expected: true },
    { case: 'a snapshot for another region', incoming: { version: 11, region: 'east' }, event: 'snapshot', expected: false },
  ] as const)('$expected for $case', ({ incoming, event, expected }) => {
    expect(shouldAccept(shown, makeSnapshot(incoming), 'demo-city', event)).toBe(expected)
  })

  it('takes the first update when nothing is shown', () => {
    expect(shouldAccept(null, makeSnapshot({ version: 3 }), 'demo-city', 'update')).toBe(true)
  })
})
