import { CASE_CATEGORIES, type CaseCategory } from '@city/metrics'
import type { CaseChannel } from '@city/metrics/wire'
import { unitOf } from '../random.js'
import type { LocalClock } from '../time/local-clock.js'
import { pointInSite, type CaseSite } from './case-sites.js'
import { titleFor } from './case-titles.js'
import { SALT } from './keys.js'
import { caseRate } from './patterns.js'
import { planTimeline, type StageStep } from './timeline.js'

export interface CasePlan {
  id: string
  category: CaseCategory
  channel: CaseChannel
  severity: number
  title: string
  region?: string
  loc?: [number, number]
  reportedAtMs: number
  deadlineMs: number
  steps: StageStep[]
  /** Steps swapAt and swapAt + 1 are sent in swapped order. */
  swapAt?: number
}

export interface CaseContext {
  seed: number
  clock: LocalClock
  sites: readonly CaseSite[]
  casesPerHour: number
}

const SWAP_SHARE = 0.02
const CATEGORY_WEIGHTS: Record<string, number> = {
  'garbage': 18, 'illegal-parking': 16, 'street-vendor': 12, 'road-damage': 8, 'streetlight': 8, 'illegal-ad': 8,
  'noise-complaint': 8, 'other': 6, 'greenery': 5, 'manhole': 4, 'pollution': 4, 'waterlogging': 3,
}
const CHANNELS: readonly [CaseChannel, number][] = [['grid', 38], ['hotline', 30], ['camera', 15], ['app', 12], ['sensor', 5]]
const SEVERITIES: readonly [number, number][] = [[1, 15], [2, 45], [3, 30], [4, 10]]

/** Work orders reported within one minute (epoch minute), more by day than by night; sorted by report time. */
export function casesReportedIn(context: CaseContext, minute: number): CasePlan[] {
  const perMinute = (context.casesPerHour / 60) * caseRate(context.clock.at(minute * 60_000).hour)
  const count = poisson(perMinute, unitOf(context.seed, SALT.caseArrivals, minute))
  return Array.from({ length: count }, (_, i) => planCase(context, minute, i)).sort((a, b) => a.reportedAtMs - b.reportedAtMs)
}

function planCase(context: CaseContext, minute: number, index: number): CasePlan {
  const pick = (salt: number) => unitOf(context.seed, SALT.cases, minute, index, salt)
  const reportedAtMs = minute * 60_000 + Math.floor(pick(0) * 60) * 1000
  const category = weighted(CASE_CATEGORIES.map((c): [CaseCategory, number] => [c, CATEGORY_WEIGHTS[c.code] ?? 5]), pick(1))
  const site = context.sites[Math.floor(pick(4) * context.sites.length)]!
  const slaMs = category.slaHours * 3_600_000
  const steps = planTimeline(slaMs, pick)
  const plan: CasePlan = {
    id: caseId(context.clock, reportedAtMs, index),
    category,
    channel: weighted(CHANNELS, pick(2)),
    severity: weighted(SEVERITIES, pick(3)),
    title: titleFor(category, site, (salt) => pick(20 + salt)),
    reportedAtMs,
    deadlineMs: reportedAtMs + slaMs,
    steps,
    ...placeOf(site, pick),
  }
  if (pick(6) < SWAP_SHARE) {
    plan.swapAt = Math.floor(pick(7) * (steps.length - 1))
  }
  return plan
}

/** Most orders carry both the community and a point; hotline orders often only an address, cameras only a point. */
function placeOf(site: CaseSite, pick: (salt: number) => number): { region?: string, loc?: [number, number] } {
  const mode = pick(5)
  if (mode >= 0.7 && mode < 0.85) {
    return { region: site.id }
  }
  const loc = pointInSite(site, Math.floor(pick(8) * 2 ** 32))
  if (!loc) {
    return { region: site.id }
  }
  return mode >= 0.85 ? { loc } : { region: site.id, loc }
}

/** Ids read like real ones (local date and time, number); a zone that repeats an hour (DST) could repeat ids. */
function caseId(clock: LocalClock, reportedAtMs: number, index: number): string {
  const { date, minuteOfDay } = clock.at(reportedAtMs)
  const hhmm = `${String(Math.floor(minuteOfDay / 60)).padStart(2, '0')}${String(minuteOfDay % 60).padStart(2, '0')}`
  return `case-${date}-${hhmm}-${index + 1}`
}

function weighted<T>(items: readonly [T, number][], u: number): T {
  const total = items.reduce((sum, [, w]) => sum + w, 0)
  let left = u * total
  for (const [item, w] of items) {
    left -= w
    if (left < 0) {
      return item
    }
  }
  return items.at(-1)![0]
}

function poisson(mean: number, u: number): number {
  let p = Math.exp(-mean)
  let cumulative = p
  let k = 0
  while (u > cumulative && k < 1000) {
    k++
    p *= mean / k
    cumulative += p
  }
  return k
}
