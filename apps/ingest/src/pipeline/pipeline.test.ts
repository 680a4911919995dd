import { describe, expect, it } from 'vitest'
import type { CaseState } from '@city/metrics'
import type { StreamRecord } from '@city/platform'
import { makeCase, makeSegment, tinyCity, tinyDevices } from '../__fixtures__/tiny-city.js'
import { Batch } from './batch.js'
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

  it('counts a copy of a message in the batch still committing as a duplicate, though the store does not know it yet', async () => {
    // The store answers as it does while the batch before is in flight: nothing seen.
    const pipeline = createPipeline({ tree: tinyCity(), devices: tinyDevices, now, loadCases: async () => [], loadSeen: async () => new Set() })
    const segment = makeSegment(T0, { id: 'seg-1@1' })
    await pipeline.handle([{ topic: 'city.traffic', partition: 0, offset: 0, key: 'seg-1', value: segment }])
    const first = pipeline.takeBatch()
    await pipeline.handle([{ topic: 'city.traffic', partition: 0, offset: 1, key: 'seg-1', value: segment }])
    const second = pipeline.takeBatch()
    expect([...first.quality.values()]).toEqual([1])
    expect([...second.quality]).toEqual([[expect.stringContaining('|traffic|duplicate'), 1]])
    expect(second.seenIds.size).toBe(0)
    // Once the next batch is taken, the first is committed by contract: its arrays went back for reuse.
    expect(() => first.seenIds.has('seg-1@1')).toThrow(/released/)
  })

  it('once told the batch in flight is stored, releases it and leaves its ids to the store', async () => {
    const inStore = new Set<string>()
    const pipeline = createPipeline({
      tree: tinyCity(), devices: tinyDevices, now, loadCases: async () => [],
      loadSeen: async (ids) => new Set(ids.filter((id) => inStore.has(id))),
    })
    const copy = (offset: number) => [{ topic: 'city.traffic', partition: 0, offset, key: 'seg-1', value: makeSegment(T0, { id: 'seg-1@1' }) }]
    const quality = () => [...pipeline.takeBatch().quality.keys()].map((k) => k.split('|')[2])
    await pipeline.handle(copy(0))
    const first = pipeline.takeBatch()
    // Told about another batch: the one in flight is still looked at.
    pipeline.stored(new Batch())
    await pipeline.handle(copy(1))
    expect(first.seenIds.keys()).toEqual(['seg-1@1'])
    expect(quality()).toEqual(['duplicate'])

    await pipeline.handle(copy(2))
    const second = pipeline.takeBatch()
    inStore.add('seg-1@1')
    pipeline.stored(second)
    await pipeline.handle(copy(3))
    expect(() => second.seenIds.has('seg-1@1')).toThrow(/released/)
    expect(quality()).toEqual(['duplicate'])
  })
})
