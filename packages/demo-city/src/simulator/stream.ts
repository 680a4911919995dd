import type { RegionTree } from '@city/metrics'
import { TOPICS, type RejectReason, type SourceTopic } from '@city/metrics/wire'
import type { Device } from '../device.js'
import { createMinHeap, type MinHeap } from '../min-heap.js'
import { hashString, unitOf } from '../random.js'
import { createLocalClock, type LocalClock } from '../time/local-clock.js'
import { spoil, type WireObject } from './bad-messages.js'
import { createCaseSites } from './case-sites.js'
import { casesReportedIn, type CaseContext, type CasePlan } from './cases.js'
import { createFleet, type SimDevice } from './fleet.js'
import { SALT } from './keys.js'
import { valuesOf } from './readings.js'

export interface SimMessage {
  topic: SourceTopic
  /** Device id or case id. */
  key: string
  /** JSON, or deliberately broken bytes. */
  value: string
  /** Set only on deliberately bad messages: the reason the ingest must give. */
  bad?: RejectReason
}

export interface StreamOptions {
  devices: Device[]
  regions: RegionTree
  seed?: number
  /** Seconds between two reports of one device; phases are staggered so messages flow continuously. */
  reportIntervalS?: number
  /** Daily average for the whole city; more by day, fewer by night. */
  casesPerHour?: number
  /** Share of extra, deliberately bad messages. */
  badShare?: number
  timeZone?: string
}

export interface StreamGenerator {
  /** Messages with event times in [fromMs, toMs), in order; windows must be contiguous. */
  generate(fromMs: number, toMs: number): SimMessage[]
}

interface Outgoing {
  atMs: number
  rank: number
  topic: SourceTopic
  key: string
  message: WireObject
}

interface Scheduled {
  plan: CasePlan
  step: number
  atMs: number
}

/** The simulated city's message stream: a pure function of the seed and time, cut into windows. */
export function createStreamGenerator(options: StreamOptions): StreamGenerator {
  const seed = options.seed ?? 1
  const intervalMs = (options.reportIntervalS ?? 30) * 1000
  const clock = createLocalClock(options.timeZone ?? 'Asia/Shanghai')
  const fleet = createFleet(options.devices, options.regions, seed, intervalMs)
  const cases: CaseContext = { seed, clock, sites: createCaseSites(options.regions, options.devices), casesPerHour: options.casesPerHour ?? 120 }
  const badShare = options.badShare ?? 0.005
  const regionExists = (id: string) => options.regions.get(id) !== undefined
  const pending = createMinHeap<Scheduled>()
  const arrivals = new Map<number, CasePlan[]>()
  let cursor: number | undefined

  const readingsIn = (fromMs: number, toMs: number): Outgoing[] => fleet.flatMap((sim, rank) => {
    const out: Outgoing[] = []
    for (let t = sim.phaseMs + Math.ceil((fromMs - sim.phaseMs) / intervalMs) * intervalMs; t < toMs; t += intervalMs) {
      out.push({ atMs: t, rank, topic: topicOf(sim), key: sim.id, message: readingOf(sim, t, seed, clock, intervalMs) })
    }
    return out
  })

  const plansIn = (minute: number) => {
    let plans = arrivals.get(minute)
    if (!plans) {
      plans = casesReportedIn(cases, minute)
      arrivals.clear()
      arrivals.set(minute, plans)
    }
    return plans
  }

  const caseEventsIn = (fromMs: number, toMs: number): Outgoing[] => {
    for (let minute = Math.floor(fromMs / 60_000); minute * 60_000 < toMs; minute++) {
      plansIn(minute).filter((p) => p.reportedAtMs >= fromMs && p.reportedAtMs < toMs).forEach((p) => schedule(pending, p))
    }
    const out: Outgoing[] = []
    while ((pending.peekPriority() ?? Infinity) < toMs) {
      const { plan, step, atMs } = pending.pop()!
      out.push({ atMs, rank: fleet.length + out.length, topic: TOPICS.events, key: plan.id, message: caseEventOf(plan, step, clock) })
    }
    return out
  }

  const withBadOnes = (good: Outgoing[]): SimMessage[] => good.flatMap((o) => {
    const message: SimMessage = { topic: o.topic, key: o.key, value: JSON.stringify(o.message) }
    if (unitOf(seed, SALT.bad, hashString(o.message.id)) >= badShare) {
      return [message]
    }
    const pick = (salt: number) => unitOf(seed, SALT.bad, hashString(o.message.id), salt)
    return [message, { topic: o.topic, ...spoil({ message: o.message, key: o.key, timeMs: o.atMs, clock, pick, regionExists }) }]
  })

  return {
    generate(fromMs, toMs) {
      if (cursor !== undefined && fromMs !== cursor) {
        throw new RangeError(`windows must be contiguous: expected ${cursor}, got ${fromMs}`)
      }
      if (toMs < fromMs) {
        throw new RangeError(`window ends before it starts: ${fromMs} → ${toMs}`)
      }
      cursor = toMs
      const good = [...readingsIn(fromMs, toMs), ...caseEventsIn(fromMs, toMs)]
      good.sort((a, b) => a.atMs - b.atMs || a.rank - b.rank)
      return withBadOnes(good)
    },
  }
}

function topicOf(sim: SimDevice): SourceTopic {
  return sim.device.kind === 'segment' || sim.device.kind === 'parking' ? TOPICS.traffic : TOPICS.environment
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

function readingOf(sim: SimDevice, timeMs: number, seed: number, clock: LocalClock, intervalMs: number): WireObject {
  const { device } = sim
  const values = valuesOf({ sim, timeMs, local: clock.at(timeMs), seed, intervalS: intervalMs / 1000 })
  const withRegion = !sim.loc && unitOf(sim.key, SALT.withRegion, timeMs) < 0.1
  return {
    v: 1,
    id: `${sim.id}@${timeMs}`,
    source: topicOf(sim) === TOPICS.traffic ? 'traffic' : 'environment',
    kind: device.kind,
    device: sim.id,
    ts: clock.format(timeMs),
    ...(withRegion ? { region: device.region } : {}),
    ...(sim.loc ? { loc: sim.loc } : {}),
    values,
  }
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
