import {
  applyCaseEvent, contributionsOf, minuteStart, observe, observeLatest, retract,
  type CaseState, type RegionTree,
} from '@city/metrics'
import { decodeMessage, parseTime, TOPICS, type CaseEvent, type Decoded, type Reading, type SourceTopic } from '@city/metrics/wire'
import type { StreamRecord } from '@city/platform'
import { Batch } from './batch.js'
import { createRegionResolver, type RegisteredDevice } from './region-resolver.js'

export interface PipelineOptions {
  tree: RegionTree
  devices: readonly RegisteredDevice[]
  /** The city's zone, for the local day of quality counts. @default 'Asia/Shanghai' */
  timeZone?: string
  /** How far in the future an event time may be. @default 300000 */
  maxSkewMs?: number
  now?: () => number
  /** Newest event time this stream had committed before; lateness is measured from it. @default -Infinity */
  watermarkMs?: number
  /** How far behind the watermark a message may be and still correct history. @default 86400000 (24 h) */
  allowedLatenessMs?: number
  /** Loads stored states of cases this process has not seen yet. */
  loadCases: (ids: string[]) => Promise<CaseState[]>
  /** Which of these message ids the store has already counted (within the dedupe window). */
  loadSeen?: (ids: string[]) => Promise<Set<string>>
}

const SOURCE_TOPICS = new Set<string>([TOPICS.traffic, TOPICS.environment, TOPICS.events])
/** Records replayed from a file carry topic `file:<path>`; each message's `source` says what it is. */
export const FILE_TOPIC_PREFIX = 'file:'

/**
 * The aggregation core: decodes and validates records, resolves their region, folds readings into
 * leaf-region minute partials and case events into case states, and collects dead letters. `takeBatch`
 * hands what has accumulated to the sink, which commits it in one transaction.
 */
export function createPipeline(options: PipelineOptions) {
  const { tree, timeZone = 'Asia/Shanghai', maxSkewMs = 300_000, allowedLatenessMs = 86_400_000, now = Date.now, loadCases } = options
  const loadSeen = options.loadSeen ?? (async () => new Set<string>())
  const resolve = createRegionResolver(tree, options.devices)
  const caseStates = new Map<string, CaseState>()
  const dayFormat = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })
  let watermarkMs = options.watermarkMs ?? -Infinity
  let batch = new Batch()

  async function handle(records: readonly StreamRecord[]): Promise<void> {
    const nowMs = now()
    const decoded = records.map((record) => decodeRecord(record, nowMs))
    const ids = decoded.flatMap((d) => (d.ok && !batch.seenIds.has(d.message.id) ? [d.message.id] : []))
    const [seen] = await Promise.all([ids.length > 0 ? loadSeen(ids) : new Set<string>(), loadUnknownCases(decoded)])
    const day = dayFormat.format(nowMs)
    records.forEach((record, i) => handleRecord(record, decoded[i]!, seen, day))
  }

  function decodeRecord(record: StreamRecord, nowMs: number): Decoded {
    const fromFile = record.topic.startsWith(FILE_TOPIC_PREFIX)
    if (!fromFile && !SOURCE_TOPICS.has(record.topic)) {
      return { ok: false, reason: 'wrong_topic', detail: `topic ${record.topic} is not a source topic` }
    }
    return decodeMessage(fromFile ? null : record.topic as SourceTopic, record.value, { nowMs, maxSkewMs })
  }

  function handleRecord(record: StreamRecord, decoded: Decoded, seen: Set<string>, day: string): void {
    batch.records += 1
    batch.advance(record.topic, record.partition, record.offset)
    if (!decoded.ok) {
      const source = record.topic.startsWith(FILE_TOPIC_PREFIX) ? 'replay' : sourceOf(record.topic)
      return reject(record, day, source, decoded.reason, decoded.detail)
    }
    const source = decoded.message.source
    if (seen.has(decoded.message.id) || batch.seenIds.has(decoded.message.id)) {
      batch.count(day, source, 'duplicate')
      return
    }
    if (decoded.tsMs < watermarkMs - allowedLatenessMs) {
      return reject(record, day, source, 'too_late', `ts ${decoded.message.ts} is more than ${allowedLatenessMs / 3_600_000} h behind the stream's watermark ${new Date(watermarkMs).toISOString()}`)
    }
    const where = resolve(decoded.message)
    if (!where.ok) {
      return reject(record, day, source, where.reason, where.detail)
    }
    const message = decoded.message
    if (message.kind === 'case') {
      foldCase(message, decoded.tsMs, where.region)
    } else {
      foldReading(message, decoded.tsMs, where.region)
    }
    batch.count(day, source, 'accepted')
    batch.seen(where.region, decoded.tsMs)
    batch.seenIds.set(message.id, decoded.tsMs)
    if (decoded.tsMs > watermarkMs) {
      watermarkMs = decoded.tsMs
    }
  }

  function foldReading(m: Reading, tsMs: number, region: string): void {
    const bucket = minuteStart(tsMs)
    const at = (metric: string) => batch.partial(region, metric, bucket)
    switch (m.kind) {
      case 'segment': {
        const { flow, speed_kmh: speed, free_flow_kmh: freeFlow } = m.values
        observe(at('traffic.flow'), 'sum', flow)
        observe(at('traffic.speed'), 'mean', speed)
        observe(at('traffic.speed_p15'), 'histogram', speed)
        // Below 1 km/h a segment is at a standstill; capping keeps the index finite.
        observe(at('traffic.tti'), 'weighted_mean', freeFlow / Math.max(speed, 1), flow)
        return
      }
      case 'parking':
        observeLatest(at('traffic.parking_occupancy'), m.device, tsMs, m.values.occupied, m.values.capacity)
        return
      case 'air':
        for (const [pollutant, value] of Object.entries(m.values)) {
          if (value !== undefined) {
            observe(at(`env.${pollutant}`), 'mean', value)
          }
        }
        return
      case 'noise':
        observe(at('env.noise'), 'energy_mean', m.values.laeq_db)
    }
  }

  function foldCase(m: CaseEvent, tsMs: number, region: string): void {
    const before = caseStates.get(m.case)
    const after = applyCaseEvent(before, {
      case: m.case, stage: m.stage, category: m.category, channel: m.channel, severity: m.severity, title: m.title,
      dept: m.dept, tsMs, deadlineMs: m.deadline === undefined ? null : parseTime(m.deadline), region,
    })
    for (const c of before ? contributionsOf(before) : []) {
      retract(batch.partial(c.region, c.metric, minuteStart(c.tsMs)), 1)
    }
    for (const c of contributionsOf(after)) {
      observe(batch.partial(c.region, c.metric, minuteStart(c.tsMs)), 'sum', 1)
    }
    caseStates.set(m.case, after)
    batch.cases.set(m.case, after)
  }

  function reject(record: StreamRecord, day: string, source: string, reason: string, detail: string): void {
    batch.count(day, source, reason)
    batch.deadLetters.push({
      topic: TOPICS.deadletter,
      key: record.key,
      value: record.value,
      headers: { reason, detail, topic: record.topic, partition: String(record.partition), offset: String(record.offset) },
    })
  }

  /** Case events for cases not in memory need their stored state first, or counters would double. */
  async function loadUnknownCases(decoded: readonly Decoded[]): Promise<void> {
    const unknown = new Set<string>()
    for (const d of decoded) {
      if (d.ok && d.message.kind === 'case' && !caseStates.has(d.message.case)) {
        unknown.add(d.message.case)
      }
    }
    if (unknown.size === 0) {
      return
    }
    for (const state of await loadCases([...unknown])) {
      caseStates.set(state.id, state)
    }
  }

  return {
    handle,
    /** Hands over the accumulated batch and starts a new one. */
    takeBatch(): Batch {
      const taken = batch
      batch = new Batch()
      return taken
    },
    get pending(): number {
      return batch.records
    },
    get watermarkMs(): number {
      return watermarkMs
    },
    tree,
  }
}

export type Pipeline = ReturnType<typeof createPipeline>

function sourceOf(topic: string): string {
  return topic.startsWith('city.') ? topic.slice('city.'.length) : topic
}
