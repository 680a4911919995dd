import type { CaseStage } from '@city/metrics/wire'

export interface StageStep {
  stage: CaseStage
  /** Time since the report. */
  afterMs: number
}

const MINUTE = 60_000

/** Shares of cases by how their loop ends; the rest close on time. */
const OUTCOME_SHARES = { cancelled: 0.05, reopened: 0.05, overdue: 0.15 }

/**
 * The stages of one work order: 上报 → 立案 → 派遣 → 处置 → 核查结案, 作废 right after the report, or 返工
 * (closed → reopened → handled → closed). Overdue cases close late or stay open for hours past the
 * deadline. `pick` yields numbers in [0, 1).
 */
export function planTimeline(slaMs: number, pick: (salt: number) => number): StageStep[] {
  const outcome = pick(10)
  const { cancelled, reopened, overdue } = OUTCOME_SHARES
  if (outcome < cancelled) {
    return [{ stage: 'reported', afterMs: 0 }, { stage: 'cancelled', afterMs: (5 + 25 * pick(11)) * MINUTE }]
  }
  if (outcome < cancelled + reopened) {
    return withRework(loop(slaMs * (0.25 + 0.35 * pick(12)), pick), slaMs, pick)
  }
  if (outcome < cancelled + reopened + overdue) {
    const late = pick(13) < 0.6 ? 1.05 + 0.8 * pick(12) : 2 + 3 * pick(12)
    return loop(slaMs * late, pick)
  }
  return loop(slaMs * (0.3 + 0.6 * pick(12)), pick)
}

function loop(closeAfterMs: number, pick: (salt: number) => number): StageStep[] {
  const registered = Math.min(0.08 * closeAfterMs, (2 + 13 * pick(14)) * MINUTE)
  const dispatched = registered + (0.05 + 0.15 * pick(15)) * closeAfterMs
  const handled = (0.72 + 0.2 * pick(16)) * closeAfterMs
  return ordered([
    { stage: 'reported', afterMs: 0 },
    { stage: 'registered', afterMs: registered },
    { stage: 'dispatched', afterMs: dispatched },
    { stage: 'handled', afterMs: handled },
    { stage: 'closed', afterMs: closeAfterMs },
  ])
}

/** 返工: the check after closing fails, the department handles it again, then it closes for good. */
function withRework(steps: StageStep[], slaMs: number, pick: (salt: number) => number): StageStep[] {
  const closed = steps.at(-1)!.afterMs
  const reopened = closed + (10 + 50 * pick(17)) * MINUTE
  const handled = reopened + (0.2 + 0.3 * pick(18)) * slaMs
  const closedAgain = handled + (10 + 30 * pick(19)) * MINUTE
  return ordered([
    ...steps,
    { stage: 'reopened', afterMs: reopened },
    { stage: 'handled', afterMs: handled },
    { stage: 'closed', afterMs: closedAgain },
  ])
}

/** Whole seconds, each stage at least a second after the one before. */
function ordered(steps: StageStep[]): StageStep[] {
  let previous = -1000
  return steps.map(({ stage, afterMs }) => {
    previous = Math.max(previous + 1000, Math.round(afterMs / 1000) * 1000)
    return { stage, afterMs: previous }
  })
}
