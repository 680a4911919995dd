import type { RegionTree } from '@city/metrics'
import type { RejectReason, SourceTopic } from '@city/metrics/wire'
import type { Device } from '../device.js'
import { hashString, unitOf } from '../random.js'
import { createLocalClock, type LocalClock } from '../time/local-clock.js'
import { spoil } from './bad-messages.js'
import { createCaseSites } from './case-sites.js'
import { createCaseSource } from './case-source.js'
import { createFleet } from './fleet.js'
import { SALT } from './keys.js'
import { readingsIn, type Outgoing } from './reading-source.js'

export interface SimMessage {
  topic: SourceTopic
  /** Device id or case id. */
  key: string
  /** JSON, or deliberately broken bytes. */
  value: string
  /** When the simulated device or desk sends it, its event time: producers give it to Kafka as the record's timestamp. */
  atMs: number
  /** Set only on deliberately bad messages: the reason the ingest must give. */
  bad?: RejectReason
}

export interface StreamOptions {
  devices: Device[]
  regions: RegionTree
  /** @default 1 */
  seed?: number
  /** Seconds between two reports of one device; phases are staggered so messages flow continuously. @default 30 */
  reportIntervalS?: number
  /** Daily average for the whole city; more by day, fewer by night. @default 120 */
  casesPerHour?: number
  /** Share of extra, deliberately bad messages. @default 0.005 */
  badShare?: number
  /** @default 'Asia/Shanghai' */
  timeZone?: string
  /**
   * When resuming a stream produced before: cases reported since this time carry on (their remaining stages
   * are sent). @default the start of the first window, so a fresh stream only has cases it reported itself
   */
  casesSinceMs?: number
}

export interface StreamGenerator {
  /** Messages with event times in [fromMs, toMs), in order; windows must be contiguous. */
  generate(fromMs: number, toMs: number): SimMessage[]
}

/** The simulated city's message stream: a pure function of the seed and time, however it is cut into windows. */
export function createStreamGenerator(options: StreamOptions): StreamGenerator {
  const seed = options.seed ?? 1
  const intervalMs = (options.reportIntervalS ?? 30) * 1000
  const clock = createLocalClock(options.timeZone ?? 'Asia/Shanghai')
  const fleet = createFleet(options.devices, options.regions, seed, intervalMs)
  const sites = createCaseSites(options.regions, options.devices)
  const cases = createCaseSource({ seed, clock, sites, casesPerHour: options.casesPerHour ?? 120 }, options.casesSinceMs)
  const spoiler = createSpoiler(seed, options.badShare ?? 0.005, clock, options.regions)
  let cursor: number | undefined
  return {
    generate(fromMs, toMs) {
      if (cursor !== undefined && fromMs !== cursor) {
        throw new RangeError(`windows must be contiguous: expected ${cursor}, got ${fromMs}`)
      }
      if (toMs < fromMs) {
        throw new RangeError(`window ends before it starts: ${fromMs} → ${toMs}`)
      }
      cursor = toMs
      const good = [...readingsIn(fleet, fromMs, toMs, { seed, clock, intervalMs }), ...cases.eventsIn(fromMs, toMs, fleet.length)]
      good.sort((a, b) => a.atMs - b.atMs || a.rank - b.rank)
      return good.flatMap(spoiler)
    },
  }
}

/** Serializes a good message and, at badShare, follows it with a broken copy. */
function createSpoiler(seed: number, badShare: number, clock: LocalClock, regions: RegionTree) {
  const regionExists = (id: string) => regions.get(id) !== undefined
  return (o: Outgoing): SimMessage[] => {
    const message: SimMessage = { topic: o.topic, key: o.key, value: JSON.stringify(o.message), atMs: o.atMs }
    const key = hashString(o.message.id)
    if (unitOf(seed, SALT.bad, key) >= badShare) {
      return [message]
    }
    const pick = (salt: number) => unitOf(seed, SALT.bad, key, salt)
    return [message, { topic: o.topic, atMs: o.atMs, ...spoil({ message: o.message, key: o.key, timeMs: o.atMs, clock, pick, regionExists }) }]
  }
}
