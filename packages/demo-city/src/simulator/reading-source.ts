import { TOPICS, type SourceTopic } from '@city/metrics/wire'
import { unitOf } from '../random.js'
import type { LocalClock } from '../time/local-clock.js'
import type { WireObject } from './bad-messages.js'
import type { SimDevice } from './fleet.js'
import { SALT } from './keys.js'
import { valuesOf } from './readings.js'

/** A message before serialization, with what ordering and spoiling need. */
export interface Outgoing {
  atMs: number
  /** Tie-break among messages sent at the same millisecond. */
  rank: number
  topic: SourceTopic
  key: string
  message: WireObject
}

const REGION_SHARE = 0.1

/** Every device reports once per interval at its own phase. */
export function readingsIn(fleet: readonly SimDevice[], fromMs: number, toMs: number, context: { seed: number, clock: LocalClock, intervalMs: number }): Outgoing[] {
  const { intervalMs } = context
  const out: Outgoing[] = []
  fleet.forEach((sim, rank) => {
    const first = sim.phaseMs + Math.ceil((fromMs - sim.phaseMs) / intervalMs) * intervalMs
    for (let t = first; t < toMs; t += intervalMs) {
      out.push({ atMs: t, rank, topic: topicOf(sim), key: sim.id, message: readingOf(sim, t, context) })
    }
  })
  return out
}

function topicOf(sim: SimDevice): SourceTopic {
  return sim.device.kind === 'segment' || sim.device.kind === 'parking' ? TOPICS.traffic : TOPICS.environment
}

function readingOf(sim: SimDevice, timeMs: number, context: { seed: number, clock: LocalClock, intervalMs: number }): WireObject {
  const { device } = sim
  const { clock } = context
  const values = valuesOf({ sim, timeMs, local: clock.at(timeMs), seed: context.seed, intervalS: context.intervalMs / 1000 })
  // Most readings rely on the registry for their region; a few name it, as some gateways do.
  const withRegion = !sim.loc && unitOf(sim.key, SALT.withRegion, timeMs) < REGION_SHARE
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
