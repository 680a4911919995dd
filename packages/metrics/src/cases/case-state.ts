import { findCategory } from '../catalog/case-categories.js'
import type { CaseChannel, CaseEvent, CaseStage } from '../wire/reading.js'

const STAGE_RANK: Record<CaseStage, number> = {
  reported: 0, registered: 1, dispatched: 2, handled: 3, closed: 4, reopened: 5, cancelled: 6,
}

/**
 * What is known of a work order from the events seen so far (plain JSON: it is stored as is). Every field is a min or max over the
 * events, so the state is the same whatever order they arrive in (events may be late or swapped).
 */
export interface CaseState {
  id: string
  region: string | null
  category: string
  channel: CaseChannel
  severity: number
  title: string
  /** Event time of the earliest event: when the case entered the system. */
  reportedMs: number
  /** Latest stage by event time. */
  stage: CaseStage
  stageMs: number
  dept: string | null
  /** Explicit deadline from the latest event carrying one; else report time + the category's SLA. */
  deadlineMs: number
  /** Event times of the events the descriptive fields, region, dept and deadline came from. */
  describedMs: number
  regionMs: number | null
  deptMs: number | null
  deadlineSetMs: number | null
}

/** One event's data with the region already resolved (a leaf id, or null when unknown). */
export type ResolvedCaseEvent = Pick<CaseEvent, 'case' | 'stage' | 'category' | 'channel' | 'severity' | 'title'> & {
  dept: string | undefined
  tsMs: number
  deadlineMs: number | null
  region: string | null
}

/** Folds one event into a case's state (or starts it); returns a new object. */
export function applyCaseEvent(state: CaseState | undefined, e: ResolvedCaseEvent): CaseState {
  if (!state) {
    const deadlineSetMs = e.deadlineMs === null ? null : e.tsMs
    return {
      id: e.case, region: e.region, category: e.category, channel: e.channel, severity: e.severity, title: e.title,
      reportedMs: e.tsMs, stage: e.stage, stageMs: e.tsMs, dept: e.dept ?? null,
      deadlineMs: e.deadlineMs ?? slaDeadline(e.category, e.tsMs), describedMs: e.tsMs, regionMs: e.region === null ? null : e.tsMs,
      deptMs: e.dept ? e.tsMs : null, deadlineSetMs,
    }
  }
  // Events that tie on event time are ordered by their content, so arrival order never matters.
  const next = { ...state }
  if (e.tsMs < next.describedMs || (e.tsMs === next.describedMs && descriptionKey(e) < descriptionKey(next))) {
    Object.assign(next, { category: e.category, channel: e.channel, severity: e.severity, title: e.title, describedMs: e.tsMs })
  }
  if (e.region !== null && (next.regionMs === null || e.tsMs < next.regionMs || (e.tsMs === next.regionMs && e.region < next.region!))) {
    next.region = e.region
    next.regionMs = e.tsMs
  }
  next.reportedMs = Math.min(next.reportedMs, e.tsMs)
  if (e.tsMs > next.stageMs || (e.tsMs === next.stageMs && STAGE_RANK[e.stage] > STAGE_RANK[next.stage])) {
    next.stage = e.stage
    next.stageMs = e.tsMs
  }
  if (e.dept && (next.deptMs === null || e.tsMs > next.deptMs || (e.tsMs === next.deptMs && e.dept > next.dept!))) {
    next.dept = e.dept
    next.deptMs = e.tsMs
  }
  if (e.deadlineMs !== null && (next.deadlineSetMs === null || e.tsMs > next.deadlineSetMs || (e.tsMs === next.deadlineSetMs && e.deadlineMs > next.deadlineMs))) {
    next.deadlineMs = e.deadlineMs
    next.deadlineSetMs = e.tsMs
  }
  if (next.deadlineSetMs === null) {
    next.deadlineMs = slaDeadline(next.category, next.reportedMs)
  }
  return next
}

function descriptionKey(d: Pick<CaseState, 'category' | 'channel' | 'severity' | 'title'>): string {
  return JSON.stringify([d.category, d.channel, d.severity, d.title])
}

function slaDeadline(category: string, reportedMs: number): number {
  return reportedMs + findCategory(category).slaHours * 3_600_000
}

export function isTerminal(stage: CaseStage): boolean {
  return stage === 'closed' || stage === 'cancelled'
}

export function isOverdue(state: CaseState, nowMs: number): boolean {
  return !isTerminal(state.stage) && nowMs > state.deadlineMs
}

/** A counter contribution of a case state: +1 to `metric` in the leaf region at event time `tsMs`. */
export interface CaseContribution {
  metric: 'cases.reported' | 'cases.closed' | 'cases.closed_on_time'
  region: string
  tsMs: number
}

/**
 * What a case in this state adds to the counters. When a case changes, the ingest retracts the old
 * state's contributions and adds the new ones, so counters always equal a recount of final states.
 */
export function contributionsOf(state: CaseState): CaseContribution[] {
  if (state.region === null) {
    return []
  }
  const out: CaseContribution[] = [{ metric: 'cases.reported', region: state.region, tsMs: state.reportedMs }]
  if (state.stage === 'closed') {
    out.push({ metric: 'cases.closed', region: state.region, tsMs: state.stageMs })
    if (state.stageMs <= state.deadlineMs) {
      out.push({ metric: 'cases.closed_on_time', region: state.region, tsMs: state.stageMs })
    }
  }
  return out
}
