import { CASE_CATEGORIES } from '@city/metrics'
import { describe, expect, it } from 'vitest'
import { createLocalClock } from '../time/local-clock.js'
import { createCaseSites } from './case-sites.js'
import { casesReportedIn, type CasePlan } from './cases.js'
import { type Decoded, demo, generate, goodOnes, HOUR, MONDAY, tree } from './__fixtures__/demo.js'

const LOOP = ['reported', 'registered', 'dispatched', 'handled', 'closed', 'reopened', 'handled', 'closed']
const CANCELLED = ['reported', 'cancelled']

function plansFor(days: number): CasePlan[] {
  const context = { seed: 1, clock: createLocalClock('Asia/Shanghai'), sites: createCaseSites(tree, demo.devices), casesPerHour: 120 }
  const first = MONDAY / 60_000
  return Array.from({ length: days * 1440 }, (_, i) => casesReportedIn(context, first + i)).flat()
}

const week = plansFor(7)
const share = (pick: (p: CasePlan) => boolean) => week.filter(pick).length / week.length
const isOverdue = (p: CasePlan) => p.steps.at(-1)!.stage === 'closed' && p.reportedAtMs + p.steps.at(-1)!.afterMs > p.deadlineMs

describe('work orders', () => {
  // Only the noise stations, so two days of stream stay quick; the cases do not depend on devices.
  const events = goodOnes(generate(MONDAY, MONDAY + 48 * HOUR, { devices: demo.devices.filter((d) => d.kind === 'noise') }))
    .filter((m) => m.kind === 'case')
  const byCase = new Map<string, Decoded[]>()
  events.forEach((e) => byCase.set(e.case, [...(byCase.get(e.case) ?? []), e]))

  it('walk the closed loop in stage order, by event time', () => {
    const wrong = [...byCase.values()].filter((list) => {
      const stages = [...list].sort((a, b) => Date.parse(a.ts) - Date.parse(b.ts)).map((e) => e.stage as string)
      const pattern = stages[1] === 'cancelled' ? CANCELLED : LOOP
      return stages.some((stage, i) => stage !== pattern[i])
    })
    expect(byCase.size).toBeGreaterThan(4000)
    expect(wrong).toEqual([])
  })

  it('set the deadline from the category SLA once registered, and the department from dispatch on', () => {
    for (const list of byCase.values()) {
      const reported = list.find((e) => e.stage === 'reported')!
      const sla = CASE_CATEGORIES.find((c) => c.code === reported.category)!
      for (const event of list) {
        const registered = !['reported', 'cancelled'].includes(event.stage)
        expect(event.deadline === undefined ? undefined : Date.parse(event.deadline)).toBe(registered ? Date.parse(reported.ts) + sla.slaHours * HOUR : undefined)
        expect(event.dept).toBe(registered && event.stage !== 'registered' ? sla.dept : undefined)
        expect([event.category, event.channel, event.severity, event.title]).toEqual([reported.category, reported.channel, reported.severity, reported.title])
      }
    }
  })

  it('sometimes send two consecutive stages in swapped order', () => {
    const swapped = [...byCase.values()].filter((list) => list.some((e, i) => i > 0 && Date.parse(e.ts) < Date.parse(list[i - 1]!.ts)))
    expect(swapped.length / byCase.size).toBeGreaterThan(0.005)
    expect(swapped.length / byCase.size).toBeLessThan(0.04)
  })

  it('mostly close on time, with a plausible share overdue, reopened or cancelled', () => {
    expect(share(isOverdue)).toBeGreaterThan(0.12)
    expect(share(isOverdue)).toBeLessThan(0.25)
    expect(share((p) => p.steps.some((s) => s.stage === 'reopened'))).toBeCloseTo(0.05, 1)
    expect(share((p) => p.steps.at(-1)!.stage === 'cancelled')).toBeCloseTo(0.05, 1)
  })

  it('arrive at casesPerHour on average, more by day than by night', () => {
    expect(week.length / (7 * 24)).toBeGreaterThan(110)
    expect(week.length / (7 * 24)).toBeLessThan(130)
    const clock = createLocalClock('Asia/Shanghai')
    const hourOf = (p: CasePlan) => Math.floor(clock.at(p.reportedAtMs).hour)
    expect(week.filter((p) => hourOf(p) === 10).length).toBeGreaterThan(3 * week.filter((p) => hourOf(p) === 3).length)
  })

  it('carry a community, a point inside it, or both', () => {
    const withoutPlace = events.filter((e) => !e.region && !e.loc)
    expect(withoutPlace).toEqual([])
    expect(events.filter((e) => e.region && tree.get(e.region)?.children.length !== 0)).toEqual([])
  })
})
