import { describe, expect, it } from 'vitest'
import type { CaseState } from '@city/metrics'
import type { StreamRecord } from '@city/platform'
import { makeCase, tinyCity, tinyDevices } from '../__fixtures__/tiny-city.js'
import { createPipeline } from './pipeline.js'

const T0 = Date.parse('2026-03-01T08:00:00Z')
const now = () => T0 + 3_600_000
const recordsOf = (values: string[]) => values.map((value, i): StreamRecord => ({ topic: 'city.events', partition: 0, offset: i, key: null, value }))

describe('createPipeline', () => {
  it('forgets work orders beyond maxCasesInMemory once committed, and reads them back from the store', async () => {
    const stored = new Map<string, CaseState>()
    const loaded: string[][] = []
    const pipeline = createPipeline({
      tree: tinyCity(), devices: tinyDevices, now, maxCasesInMemory: 1,
      loadCases: async (ids) => {
        loaded.push(ids)
        return ids.flatMap((id) => (stored.has(id) ? [stored.get(id)!] : []))
      },
    })
    const commit = () => {
      for (const [id, state] of pipeline.takeBatch().cases) {
        stored.set(id, state)
      }
    }
    await pipeline.handle(recordsOf([makeCase(T0, { case: 'a', stage: 'reported' }), makeCase(T0 + 1000, { case: 'b', stage: 'reported' })]))
    commit()
    await pipeline.handle(recordsOf([makeCase(T0 + 2000, { case: 'c', stage: 'reported' })]))
    commit()
    // a and b were last changed two batches ago: beyond one case in memory, they are forgotten.
    await pipeline.handle(recordsOf([makeCase(T0 + 3000, { case: 'a', stage: 'dispatched' }), makeCase(T0 + 4000, { case: 'c', stage: 'dispatched' })]))
    expect(loaded).toEqual([['a', 'b'], ['c'], ['a']])
    const batch = pipeline.takeBatch()
    expect(batch.cases.get('a')).toMatchObject({ stage: 'dispatched', reportedMs: T0 })
    expect(batch.cases.get('c')).toMatchObject({ stage: 'dispatched', reportedMs: T0 + 2000 })
  })
})
