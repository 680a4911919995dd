import { TOPICS } from '@city/metrics/wire'
import { createMinHeap, type MinHeap } from '../min-heap.js'
import type { LocalClock } from '../time/local-clock.js'
import type { WireObject } from './bad-messages.js'
import { casesReportedIn, type CaseContext, type CasePlan } from './cases.js'
import type { Outgoing } from './reading-source.js'

interface Scheduled {
  plan: CasePlan
  step: number
  atMs: number
}

export interface CaseSource {
  /** Stage events sent in [fromMs, toMs); windows must follow each other. */
  eventsIn(fromMs: number, toMs: number, rankBase: number): Outgoing[]
}

/**
 * Work orders are planned whole when reported; their later stages wait in a queue until their time comes.
 * Cases reported from `sinceMs` on, before the first window, are planned too and only their remaining
 * stages are sent, which is how a resumed stream carries on with the cases it had open.
 */
export function createCaseSource(context: CaseContext, sinceMs?: number): CaseSource {
  const pending = createMinHeap<Scheduled>()
  let lastMinute: { minute: number, plans: CasePlan[] } | undefined
  const plansIn = (minute: number) => {
    if (lastMinute?.minute !== minute) {
      lastMinute = { minute, plans: casesReportedIn(context, minute) }
    }
    return lastMinute.plans
  }
  const scheduleReported = (fromMs: number, toMs: number) => {
    for (let minute = Math.floor(fromMs / 60_000); minute * 60_000 < toMs; minute++) {
      plansIn(minute).filter((p) => p.reportedAtMs >= fromMs && p.reportedAtMs < toMs).forEach((p) => schedule(pending, p))
    }
  }
  let started = false
  return {
    eventsIn(fromMs, toMs, rankBase) {
      if (!started && sinceMs !== undefined && sinceMs < fromMs) {
        scheduleReported(sinceMs, fromMs)
        while ((pending.peekPriority() ?? Infinity) < fromMs) {
          pending.pop()
        }
      }
      started = true
      scheduleReported(fromMs, toMs)
      const out: Outgoing[] = []
      while ((pending.peekPriority() ?? Infinity) < toMs) {
        const { plan, step, atMs } = pending.pop()!
        out.push({ atMs, rank: rankBase + out.length, topic: TOPICS.events, key: plan.id, message: caseEventOf(plan, step, context.clock) })
      }
      return out
    },
  }
}

/** Queues a case's stage events; a swapped pair goes out together at the later time, later stage first. */
function schedule(queue: MinHeap<Scheduled>, plan: CasePlan): void {
  const push = (step: number, atMs: number) => queue.push(atMs, { plan, step, atMs })
  plan.steps.forEach((step, i) => {
    if (plan.swapAt === i) {
      const laterAt = plan.reportedAtMs + plan.steps[i + 1]!.afterMs
      push(i + 1, laterAt)
      push(i, laterAt)
    } else if (plan.swapAt !== i - 1) {
      push(i, plan.reportedAtMs + step.afterMs)
    }
  })
}

function caseEventOf(plan: CasePlan, step: number, clock: LocalClock): WireObject {
  const { stage, afterMs } = plan.steps[step]!
  const dispatchedAt = plan.steps.findIndex((s) => s.stage === 'dispatched')
  const registeredAt = plan.steps.findIndex((s) => s.stage === 'registered')
  return {
    v: 1,
    id: `${plan.id}.${step + 1}`,
    source: 'events',
    kind: 'case',
    case: plan.id,
    stage,
    ts: clock.format(plan.reportedAtMs + afterMs),
    category: plan.category.code,
    channel: plan.channel,
    ...(dispatchedAt >= 0 && step >= dispatchedAt ? { dept: plan.category.dept } : {}),
    ...(registeredAt >= 0 && step >= registeredAt ? { deadline: clock.format(plan.deadlineMs) } : {}),
    ...(plan.region ? { region: plan.region } : {}),
    ...(plan.loc ? { loc: plan.loc } : {}),
    severity: plan.severity,
    title: plan.title,
  }
}
