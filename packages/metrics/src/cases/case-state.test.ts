import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { emptyPartial, observe, retract, type Partial as Aggregate } from '../aggregate/partial.js'
import type { CaseStage } from '../wire/reading.js'
import { applyCaseEvent, contributionsOf, isOverdue, isTerminal, type CaseState, type ResolvedCaseEvent } from './case-state.js'

const T0 = Date.parse('2026-03-01T09:00:00+08:00')
const MIN = 60_000
const HOUR = 3_600_000
const STAGES: readonly CaseStage[] = ['reported', 'registered', 'dispatched', 'handled', 'closed', 'reopened', 'cancelled']

function makeEvent(overrides: Partial<ResolvedCaseEvent> = {}): ResolvedCaseEvent {
  return {
    case: 'case-1', stage: 'reported', category: 'garbage', channel: 'hotline', severity: 2, title: '垃圾暴露',
    dept: undefined, tsMs: T0, deadlineMs: null, region: 'c1', ...overrides,
  }
}

function fold(events: readonly ResolvedCaseEvent[]): CaseState {
  const state = events.reduce<CaseState | undefined>((s, e) => applyCaseEvent(s, e), undefined)
  if (!state) {
    throw new Error('no events')
  }
  return state
}

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) {
    return [[...items]]
  }
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]))
}

/** A lifecycle of five events, in event-time order. */
const LIFECYCLE: ResolvedCaseEvent[] = [
  makeEvent({ stage: 'reported', tsMs: T0, region: null }),
  makeEvent({ stage: 'registered', tsMs: T0 + 10 * MIN, region: 'c1' }),
  makeEvent({ stage: 'dispatched', tsMs: T0 + 20 * MIN, dept: 'huanwei' }),
  makeEvent({ stage: 'handled', tsMs: T0 + 2 * HOUR, dept: 'huanwei', title: '已清运' }),
  makeEvent({ stage: 'closed', tsMs: T0 + 3 * HOUR }),
]

/**
 * Events of one case whose event times fall on a few minutes, so several share one; every other field
 * varies too, as when a case is reclassified, redispatched or given a new deadline.
 */
const EVENT: fc.Arbitrary<ResolvedCaseEvent> = fc.record({
  case: fc.constant('case-1'),
  stage: fc.constantFrom(...STAGES),
  category: fc.constantFrom('garbage', 'manhole', 'no-such-code'),
  channel: fc.constantFrom('hotline', 'grid', 'camera'),
  severity: fc.integer({ min: 1, max: 4 }),
  title: fc.constantFrom('垃圾', '井盖', ''),
  dept: fc.option(fc.constantFrom('huanwei', 'shizheng'), { nil: undefined }),
  tsMs: fc.integer({ min: 0, max: 3 }).map((m) => T0 + m * MIN),
  deadlineMs: fc.option(fc.integer({ min: 1, max: 8 }).map((h) => T0 + h * HOUR), { nil: null }),
  region: fc.option(fc.constantFrom('c1', 'c2'), { nil: null }),
})

const shuffledPair = (events: fc.Arbitrary<ResolvedCaseEvent[]>) =>
  events.chain((es) => fc.tuple(fc.constant(es), fc.shuffledSubarray(es, { minLength: es.length, maxLength: es.length })))

describe('applyCaseEvent', () => {
  it('reaches the same state from every order of a lifecycle\'s events', () => {
    const expected = fold(LIFECYCLE)
    expect(expected).toMatchObject({ stage: 'closed', stageMs: T0 + 3 * HOUR, reportedMs: T0, region: 'c1', dept: 'huanwei', title: '垃圾暴露' })
    for (const order of permutations(LIFECYCLE)) {
      expect(fold(order)).toEqual(expected)
    }
  })

  it('reaches the same state whatever order random events arrive in, with distinct event times', () => {
    const distinct = fc.array(EVENT, { minLength: 1, maxLength: 7 }).map((es) => es.map((e, i) => ({ ...e, tsMs: T0 + i * MIN })))
    fc.assert(fc.property(shuffledPair(distinct), ([events, shuffled]) => {
      expect(fold(shuffled)).toEqual(fold(events))
    }))
  })

  it('reaches the same state whatever order random events arrive in, when event times tie', () => {
    fc.assert(fc.property(shuffledPair(fc.array(EVENT, { minLength: 1, maxLength: 7 })), ([events, shuffled]) => {
      expect(fold(shuffled)).toEqual(fold(events))
    }))
  })

  it('keeps the latest stage by event time, not by arrival', () => {
    const state = fold([makeEvent({ stage: 'closed', tsMs: T0 + HOUR }), makeEvent({ stage: 'dispatched', tsMs: T0 + 30 * MIN })])
    expect(state).toMatchObject({ stage: 'closed', stageMs: T0 + HOUR })
  })

  it.each<[CaseStage, CaseStage, CaseStage]>([
    ['reported', 'registered', 'registered'],
    ['handled', 'closed', 'closed'],
    ['closed', 'reopened', 'reopened'],
    ['closed', 'cancelled', 'cancelled'],
    ['reopened', 'cancelled', 'cancelled'],
  ])('breaks a tie in event time between %s and %s by stage rank: %s', (a, b, expected) => {
    const x = makeEvent({ stage: a })
    const y = makeEvent({ stage: b })
    expect(fold([x, y]).stage).toBe(expected)
    expect(fold([y, x]).stage).toBe(expected)
  })

  it('dates the report from the earliest event, even when it arrives last', () => {
    const state = fold([makeEvent({ stage: 'registered', tsMs: T0 + HOUR }), makeEvent({ stage: 'reported', tsMs: T0 })])
    expect(state.reportedMs).toBe(T0)
  })

  it('describes the case by its earliest event', () => {
    const state = fold([
      makeEvent({ stage: 'registered', tsMs: T0 + HOUR, category: 'manhole', title: 'later', severity: 4, channel: 'grid' }),
      makeEvent({ stage: 'reported', tsMs: T0, category: 'garbage', title: 'first', severity: 1, channel: 'app' }),
    ])
    expect(state).toMatchObject({ category: 'garbage', title: 'first', severity: 1, channel: 'app', describedMs: T0 })
  })

  it('takes the region from the earliest event that has one', () => {
    const state = fold([
      makeEvent({ tsMs: T0 + 2 * HOUR, region: 'c2' }),
      makeEvent({ tsMs: T0, region: null }),
      makeEvent({ tsMs: T0 + HOUR, region: 'c1' }),
    ])
    expect(state.region).toBe('c1')
  })

  it('keeps the region unknown while no event has one', () => {
    expect(fold([makeEvent({ region: null }), makeEvent({ tsMs: T0 + HOUR, region: null })]).region).toBeNull()
  })

  it('takes the department from the latest event that names one', () => {
    const state = fold([
      makeEvent({ stage: 'dispatched', tsMs: T0 + 2 * HOUR, dept: 'shizheng' }),
      makeEvent({ stage: 'handled', tsMs: T0 + 3 * HOUR }),
      makeEvent({ stage: 'dispatched', tsMs: T0 + HOUR, dept: 'huanwei' }),
    ])
    expect(state.dept).toBe('shizheng')
  })

  it('has no department before dispatch', () => {
    expect(fold([makeEvent()]).dept).toBeNull()
  })
})

describe('case deadline', () => {
  it.each<[string, number]>([
    ['garbage', 4],
    ['illegal-parking', 2],
    ['road-damage', 48],
    ['no-such-code', 72],
  ])('is the report time plus the SLA of category %s (%d h) without an explicit deadline', (category, hours) => {
    expect(fold([makeEvent({ category })]).deadlineMs).toBe(T0 + hours * HOUR)
  })

  it('counts the SLA from the earliest event even when a later one arrived first', () => {
    const state = fold([makeEvent({ stage: 'registered', tsMs: T0 + HOUR }), makeEvent({ stage: 'reported', tsMs: T0 })])
    expect(state.deadlineMs).toBe(T0 + 4 * HOUR)
  })

  it('follows the category of the earliest event', () => {
    const state = fold([makeEvent({ stage: 'registered', tsMs: T0 + HOUR, category: 'road-damage' }), makeEvent({ tsMs: T0, category: 'manhole' })])
    expect(state.deadlineMs).toBe(T0 + 4 * HOUR)
  })

  it('is an explicit deadline when an event carries one', () => {
    expect(fold([makeEvent({ deadlineMs: T0 + 30 * HOUR })]).deadlineMs).toBe(T0 + 30 * HOUR)
  })

  it('keeps an explicit deadline over the SLA when a later event carries none', () => {
    const state = fold([makeEvent({ deadlineMs: T0 + 30 * HOUR }), makeEvent({ stage: 'registered', tsMs: T0 + HOUR })])
    expect(state.deadlineMs).toBe(T0 + 30 * HOUR)
  })

  it('replaces the SLA when a later event sets a deadline', () => {
    const state = fold([makeEvent(), makeEvent({ stage: 'registered', tsMs: T0 + HOUR, deadlineMs: T0 + 10 * HOUR })])
    expect(state.deadlineMs).toBe(T0 + 10 * HOUR)
  })

  it('takes the deadline of the latest event carrying one, whatever the arrival order', () => {
    const first = makeEvent({ stage: 'registered', tsMs: T0 + HOUR, deadlineMs: T0 + 10 * HOUR })
    const extended = makeEvent({ stage: 'dispatched', tsMs: T0 + 2 * HOUR, deadlineMs: T0 + 20 * HOUR })
    expect(fold([first, extended]).deadlineMs).toBe(T0 + 20 * HOUR)
    expect(fold([extended, first]).deadlineMs).toBe(T0 + 20 * HOUR)
  })
})

describe('isTerminal', () => {
  it.each<[CaseStage, boolean]>([
    ['reported', false], ['registered', false], ['dispatched', false], ['handled', false],
    ['closed', true], ['reopened', false], ['cancelled', true],
  ])('says %s is terminal: %s', (stage, expected) => {
    expect(isTerminal(stage)).toBe(expected)
  })
})

describe('isOverdue', () => {
  const deadline = T0 + 4 * HOUR

  it.each<[string, CaseStage, number, boolean]>([
    ['an open case before its deadline', 'dispatched', deadline - 1, false],
    ['an open case at its deadline', 'dispatched', deadline, false],
    ['an open case past its deadline', 'dispatched', deadline + 1, true],
    ['a reopened case past its deadline', 'reopened', deadline + HOUR, true],
    ['a closed case past its deadline', 'closed', deadline + HOUR, false],
    ['a cancelled case past its deadline', 'cancelled', deadline + HOUR, false],
  ])('calls %s overdue: %s', (_, stage, nowMs, expected) => {
    const state = fold([makeEvent(), makeEvent({ stage, tsMs: T0 + 10 * MIN })])
    expect(state.deadlineMs).toBe(deadline)
    expect(isOverdue(state, nowMs)).toBe(expected)
  })
})

describe('contributionsOf', () => {
  const deadline = T0 + 4 * HOUR
  const reported = { metric: 'cases.reported', region: 'c1', tsMs: T0 }

  it.each<[string, ResolvedCaseEvent[], unknown[]]>([
    ['counts an open case as reported at its first event time', [makeEvent(), makeEvent({ stage: 'dispatched', tsMs: T0 + HOUR })], [reported]],
    ['counts a case closed before its deadline as closed on time', [makeEvent(), makeEvent({ stage: 'closed', tsMs: T0 + HOUR })], [
      reported, { metric: 'cases.closed', region: 'c1', tsMs: T0 + HOUR }, { metric: 'cases.closed_on_time', region: 'c1', tsMs: T0 + HOUR },
    ]],
    ['counts a case closed exactly at its deadline as closed on time', [makeEvent(), makeEvent({ stage: 'closed', tsMs: deadline })], [
      reported, { metric: 'cases.closed', region: 'c1', tsMs: deadline }, { metric: 'cases.closed_on_time', region: 'c1', tsMs: deadline },
    ]],
    ['counts a case closed after its deadline as closed but late', [makeEvent(), makeEvent({ stage: 'closed', tsMs: deadline + 1 })], [
      reported, { metric: 'cases.closed', region: 'c1', tsMs: deadline + 1 },
    ]],
    ['does not count a reopened case as closed', [makeEvent(), makeEvent({ stage: 'closed', tsMs: T0 + HOUR }), makeEvent({ stage: 'reopened', tsMs: T0 + 2 * HOUR })], [reported]],
    ['counts a case closed again after reopening at its last closure', [
      makeEvent(), makeEvent({ stage: 'closed', tsMs: T0 + HOUR }), makeEvent({ stage: 'reopened', tsMs: T0 + 2 * HOUR }), makeEvent({ stage: 'closed', tsMs: T0 + 5 * HOUR }),
    ], [reported, { metric: 'cases.closed', region: 'c1', tsMs: T0 + 5 * HOUR }]],
    ['does not count a cancelled case as closed', [makeEvent(), makeEvent({ stage: 'cancelled', tsMs: T0 + HOUR })], [reported]],
    ['counts nothing while the region is unknown', [makeEvent({ region: null }), makeEvent({ stage: 'closed', tsMs: T0 + HOUR, region: null })], []],
    ['puts every contribution in the case\'s leaf region', [makeEvent({ region: null }), makeEvent({ stage: 'closed', tsMs: T0 + HOUR, region: 'c2' })], [
      { metric: 'cases.reported', region: 'c2', tsMs: T0 }, { metric: 'cases.closed', region: 'c2', tsMs: T0 + HOUR }, { metric: 'cases.closed_on_time', region: 'c2', tsMs: T0 + HOUR },
    ]],
  ])('%s', (_, events, expected) => {
    expect(contributionsOf(fold(events))).toEqual(expected)
  })

  it('keeps counters equal to a recount of final states when each change retracts the old contributions', () => {
    const key = (c: { metric: string, region: string, tsMs: number }) => `${c.metric}|${c.region}|${Math.floor(c.tsMs / HOUR)}`
    const countsOf = (partials: Map<string, Aggregate>) =>
      Object.fromEntries([...partials].filter(([, p]) => p.sum !== 0).map(([k, p]) => [k, p.sum]))
    const cases = fc.array(fc.tuple(fc.constantFrom('case-1', 'case-2', 'case-3'), EVENT), { maxLength: 20 })
      .map((rows) => rows.map(([id, e]) => ({ ...e, case: id, tsMs: e.tsMs + Number(id.slice(-1)) * HOUR })))
    fc.assert(fc.property(cases, (events) => {
      const states = new Map<string, CaseState>()
      const counters = new Map<string, Aggregate>()
      const counter = (k: string) => counters.get(k) ?? counters.set(k, emptyPartial()).get(k)!
      for (const e of events) {
        const before = states.get(e.case)
        const after = applyCaseEvent(before, e)
        for (const c of before ? contributionsOf(before) : []) {
          retract(counter(key(c)), 1)
        }
        for (const c of contributionsOf(after)) {
          observe(counter(key(c)), 'sum', 1)
        }
        states.set(e.case, after)
      }
      const recount = new Map<string, Aggregate>()
      for (const state of states.values()) {
        for (const c of contributionsOf(state)) {
          observe(recount.get(key(c)) ?? recount.set(key(c), emptyPartial()).get(key(c))!, 'sum', 1)
        }
      }
      expect(countsOf(counters)).toEqual(countsOf(recount))
    }))
  })
})
