import { describe, expect, it } from 'vitest'
import type { StreamRecord } from '@city/platform'
import { InStepBuffer } from './in-step.js'

const MIN = 60_000
/** Records of one partition at these minutes, their value naming partition and minute. */
function chunk(partition: number, minutes: number[], firstOffset = 0): [StreamRecord[], number[]] {
  const records = minutes.map((m, i) => ({ topic: 'city.traffic', partition, offset: firstOffset + i, key: null, value: `p${partition}@${m}` }))
  return [records, minutes.map((m) => m * MIN)]
}
const values = (records: StreamRecord[]) => records.map((r) => r.value)
let clock = 0

describe('InStepBuffer', () => {
  it('hands on only what no partition still being fetched could come before', () => {
    const held = new InStepBuffer(MIN, 1000, () => clock)
    held.add('a', ...chunk(0, [0, 1, 2, 3, 50, 51]), 1000) // far ahead after one fetch
    held.add('b', ...chunk(1, [0, 1, 2]), 1000) // behind, more to fetch
    expect(values(held.take('in-step'))).toEqual(['p0@0', 'p0@1', 'p0@2', 'p0@3', 'p1@0', 'p1@1', 'p1@2'])
    expect(held.size).toBe(2)
    // b's next fetch reaches minute 49: a's minute 50 is within the slack, 51 is not.
    held.add('b', ...chunk(1, [20, 49], 3), 500)
    expect(values(held.take('in-step'))).toEqual(['p0@50', 'p1@20', 'p1@49'])
    // b has nothing more to fetch: nothing holds a back.
    held.add('b', [], [], 0)
    expect(values(held.take('in-step'))).toEqual(['p0@51'])
    expect(held.size).toBe(0)
  })

  it('keeps each partition in its order, even where timestamps go back', () => {
    const held = new InStepBuffer(MIN, 1000, () => clock)
    held.add('a', ...chunk(0, [10, 2, 3]), 5)
    held.add('b', ...chunk(1, [0]), 5)
    // a's minute 10 is past b's frontier: 2 and 3 wait behind it.
    expect(values(held.take('in-step'))).toEqual(['p1@0'])
    expect(held.take('in-step')).toEqual([])
    expect(values(held.take('oldest'))).toEqual(['p0@10', 'p0@2', 'p0@3'])
  })

  it('hands on the oldest when told to (waiting would stall fetching), minute after minute, at most max at a time', () => {
    const held = new InStepBuffer(MIN, 1000, () => clock)
    held.add('a', ...chunk(0, [30, 31, 90]), 10)
    held.add('b', ...chunk(1, [0]), 10)
    held.take('in-step') // b's minute 0
    // b is being fetched and has nothing held: in step, a waits; told to, its oldest minute goes on.
    expect(held.take('in-step')).toEqual([])
    expect(values(held.take('oldest'))).toEqual(['p0@30', 'p0@31', 'p0@90'])
    held.add('a', ...chunk(0, [91, 92, 93], 3), 10)
    expect(values(held.take('oldest', 2))).toEqual(['p0@91', 'p0@92'])
    expect(values(held.take('all'))).toEqual(['p0@93'])
  })

  it('lets records without a timestamp through and keeps them from holding others back', () => {
    const held = new InStepBuffer(MIN, 1000, () => clock)
    const [records] = chunk(0, [0, 0])
    held.add('a', records, [-1, Number.NaN], 100)
    held.add('b', ...chunk(1, [500]), 0)
    expect(values(held.take('in-step'))).toEqual(['p0@0', 'p0@0', 'p1@500'])
  })

  it('stops waiting for a partition that reports records left but delivers none for idleMs', () => {
    const held = new InStepBuffer(MIN, 1000, () => clock)
    clock = 0
    held.add('a', ...chunk(0, [0]), 7) // seven offsets left that may never come as records
    held.add('b', ...chunk(1, [30]), 0)
    expect(values(held.take('in-step'))).toEqual(['p0@0'])
    clock = 999
    expect(held.take('in-step')).toEqual([])
    clock = 1001
    expect(values(held.take('in-step'))).toEqual(['p1@30'])
  })

  it('holds everything until each expected partition has been fetched once (or gone idle)', () => {
    const held = new InStepBuffer(MIN, 1000, () => clock)
    clock = 0
    held.expect(['a', 'b'])
    held.add('a', ...chunk(0, [0, 30, 90]), 500) // the first to answer: hours ahead of b, maybe
    expect(held.take('in-step')).toEqual([])
    held.add('b', ...chunk(1, [0, 1]), 500)
    expect(values(held.take('in-step'))).toEqual(['p0@0', 'p1@0', 'p1@1'])
    held.expect(['c'])
    expect(held.take('in-step')).toEqual([])
    clock = 1001 // c never answered, and none delivered for idleMs: nothing holds a back
    expect(values(held.take('in-step'))).toEqual(['p0@30', 'p0@90'])
  })

  it('names the partitions fetched past what can be handed on in step with more than max held', () => {
    const held = new InStepBuffer(MIN, 1000, () => clock)
    clock = 0
    held.add('a', ...chunk(0, [0, 1, 2, 3]), 100) // the frontier: minute 3
    held.add('b', ...chunk(1, [100, 101, 102]), 100)
    held.add('c', ...chunk(2, [4, 200]), 100)
    expect(held.ahead(2)).toEqual(['b'])
    expect(held.ahead(1).sort()).toEqual(['b', 'c'])
    // a catches up to minute 150: b's minute 102 is the frontier now, and a is ahead too.
    held.take('in-step')
    held.add('a', ...chunk(0, [150], 4), 100)
    expect(held.ahead(0).sort()).toEqual(['a', 'c'])
  })

  it('forgets everything on clear', () => {
    const held = new InStepBuffer(MIN, 1000, () => clock)
    held.add('a', ...chunk(0, [0, 1]), 3)
    held.clear()
    expect(held.size).toBe(0)
    expect(held.take('all')).toEqual([])
  })
})
