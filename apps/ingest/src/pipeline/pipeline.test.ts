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

  it('folds a reading the same whether it is scanned from its text or decoded, whatever becomes of it', async () => {
    const iso = (ms: number) => new Date(ms).toISOString()
    const reading = (id: string, kind: string, device: string, tsMs: number, values: object, where: object = {}) => JSON.stringify({
      v: 1, id, source: kind === 'segment' || kind === 'parking' ? 'traffic' : 'environment', kind, device, ts: iso(tsMs), ...where, values,
    })
    const texts = [
      reading('a', 'segment', 'seg-1', T0, { flow: 10, speed_kmh: 0.5, free_flow_kmh: 60 }),
      reading('b', 'segment', 'seg-2', T0 + 1000, { flow: 4, speed_kmh: 33.3, free_flow_kmh: 50 }, { region: 'k2' }),
      reading('c', 'segment', 'seg-9', T0 + 2000, { flow: 1, speed_kmh: 20, free_flow_kmh: 40 }, { loc: [1.5, 1.5] }),
      reading('d', 'segment', 'seg-9', T0 + 3000, { flow: 1, speed_kmh: 20, free_flow_kmh: 40 }),
      reading('e', 'segment', 'seg-1', T0 + 4000, { flow: 1, speed_kmh: 20, free_flow_kmh: 40 }, { region: 'd1' }),
      reading('f', 'segment', 'seg-1', T0 + 5000, { flow: 1, speed_kmh: 20, free_flow_kmh: 40 }, { region: 'nowhere' }),
      reading('g', 'segment', 'seg-1', T0 + 6000, { flow: 1, speed_kmh: 20, free_flow_kmh: 40 }, { loc: [5, 5] }),
      reading('h', 'parking', 'park-1', T0 + 7000, { occupied: 10, capacity: 20 }),
      reading('i', 'parking', 'park-1', T0 + 8000, { occupied: 12, capacity: 20 }),
      reading('j', 'parking', 'park-2', T0 + 8000, { occupied: 1, capacity: 2 }, { region: 'k2' }),
      reading('k', 'air', 'air-1', T0 + 9000, { pm25: 35.5, o3: 80 }),
      reading('l', 'noise', 'noise-1', T0 + 10_000, { laeq_db: 61.2 }),
      reading('a', 'noise', 'noise-1', T0 + 11_000, { laeq_db: 70 }),
      reading('m', 'noise', 'noise-1', T0 + 200_000, { laeq_db: 70 }),
      reading('n', 'noise', 'noise-1', T0 + 12_000, { laeq_db: 70 }),
      reading('o', 'noise', 'noise-1', T0 + 13_000, { laeq_db: 141 }),
      reading('p', 'noise', 'noise-1', T0 + 14_000, { laeq_db: 70 }),
    ]
    const run = async (spell: (text: string) => string) => {
      const pipeline = createPipeline({ tree: tinyCity(), devices: tinyDevices, now, allowedLatenessMs: 60_000, loadCases: async () => [], loadSeen: async () => new Set(['n']) })
      await pipeline.handle(texts.map((text, offset) => ({ topic: offset % 2 === 0 ? `city.${JSON.parse(text).source}` : 'file:replay.jsonl', partition: 0, offset, key: null, value: spell(text) })))
      const batch = pipeline.takeBatch()
      return {
        partials: batch.leafPartials(), quality: [...batch.quality], cases: batch.cases.size, ids: batch.seenIds.keys(), times: batch.seenIds.values(),
        deadLetters: batch.deadLetters.map((d) => d.headers), regionEventMs: [...batch.regionEventMs], watermarkMs: pipeline.watermarkMs, records: batch.records,
      }
    }
    const scanned = await run((text) => text)
    // Spaces: the scan declines every message, decodeMessage reads them all.
    const decoded = await run((text) => JSON.stringify(JSON.parse(text), null, 1))
    expect(scanned).toEqual(decoded)
    expect(scanned.ids).toEqual(['a', 'b', 'c', 'g', 'h', 'i', 'j', 'k', 'l', 'm'])
    expect(scanned.deadLetters.map((h) => h?.reason)).toEqual(['unknown_device', 'unknown_region', 'unknown_region', 'absurd_value', 'too_late'])
    expect(scanned.quality).toContainEqual([expect.stringMatching(/\|environment\|duplicate$/), 2])
  })
})
