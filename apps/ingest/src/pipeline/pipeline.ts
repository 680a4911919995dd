import { applyCaseEvent, contributionsOf, minuteStart, type CaseState, type RegionTree } from '@city/metrics'
import { decodeMessage, parseTime, TOPICS, type CaseEvent, type DecodeOptions, type Decoded, type Reading, type SourceTopic, type WireMessage } from '@city/metrics/wire'
import type { StreamRecord } from '@city/platform'
import { Batch } from './batch.js'
import type { BucketCell } from './partial-table.js'
import { messageIdHash } from './message-ids.js'
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
  /** Work-order states kept in memory between batches; older ones are read back from the store when needed. @default 100000 */
  maxCasesInMemory?: number
}

const SOURCE_TOPICS = new Set<string>([TOPICS.traffic, TOPICS.environment, TOPICS.events])
const AIR_METRICS: Record<string, string> = Object.fromEntries(['pm25', 'pm10', 'so2', 'no2', 'o3', 'co'].map((p) => [p, `env.${p}`]))
/** Records replayed from a file carry topic `file:<path>`; each message's `source` says what it is. */
export const FILE_TOPIC_PREFIX = 'file:'

/**
 * The aggregation core: decodes and validates records, resolves their region, folds readings into
 * leaf-region minute partials and case events into case states, and collects dead letters. `takeBatch`
 * hands what has accumulated to the sink, which commits it in one transaction.
 */
export function createPipeline(options: PipelineOptions) {
  const { tree, timeZone = 'Asia/Shanghai', maxSkewMs = 300_000, allowedLatenessMs = 86_400_000, now = Date.now, loadCases, maxCasesInMemory = 100_000 } = options
  const loadSeen = options.loadSeen ?? (async () => new Set<string>())
  const resolve = createRegionResolver(tree, options.devices)
  /** Work orders by id, least recently changed first, with the batch (generation) that last changed them. */
  const caseStates = new Map<string, { state: CaseState, generation: number }>()
  let generation = 0
  const dayFormat = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })
  let watermarkMs = options.watermarkMs ?? -Infinity
  let batch = new Batch()
  /**
   * The batch taken last. Its commit may still be running while the next records are handled (consumers
   * commit in the background), so its ids count as seen; the store knows them once it has committed,
   * which every consumer waits for before it takes the next batch. Its arrays are released then, or as
   * soon as the consumer says it is stored (`stored`), and its ids are not looked at again.
   */
  let taken: Batch | undefined
  let takenIsStored = false

  async function handle(records: readonly StreamRecord[]): Promise<void> {
    // Only here, before this call's store lookup: a call already past its lookup still needs the ids.
    if (takenIsStored) {
      releaseTaken()
    }
    const nowMs = now()
    const decodeOptions = { nowMs, maxSkewMs }
    const decoded = new Array<Decoded>(records.length)
    const ids: string[] = []
    for (let i = 0; i < records.length; i++) {
      const d = decodeRecord(records[i]!, decodeOptions)
      decoded[i] = d
      // Ids this batch already holds are asked too: rare, and cheaper than a second lookup for every id.
      if (d.ok) {
        ids.push(d.message.id)
      }
    }
    const [seen] = await Promise.all([ids.length > 0 ? loadSeen(ids) : new Set<string>(), loadUnknownCases(decoded)])
    const day = dayFormat.format(nowMs)
    // Accepted messages are counted per call, not per message: one quality key per source instead of one each.
    const accepted: Record<WireMessage['source'], number> = { traffic: 0, environment: 0, events: 0 }
    for (let i = 0; i < records.length; i++) {
      const source = handleRecord(records[i]!, decoded[i]!, seen, day)
      if (source !== undefined) {
        accepted[source] += 1
      }
    }
    for (const [source, n] of Object.entries(accepted)) {
      if (n > 0) {
        batch.count(day, source, 'accepted', n)
      }
    }
  }

  function decodeRecord(record: StreamRecord, decodeOptions: DecodeOptions): Decoded {
    const fromFile = record.topic.startsWith(FILE_TOPIC_PREFIX)
    if (!fromFile && !SOURCE_TOPICS.has(record.topic)) {
      return { ok: false, reason: 'wrong_topic', detail: `topic ${record.topic} is not a source topic` }
    }
    return decodeMessage(fromFile ? null : record.topic as SourceTopic, record.value, decodeOptions)
  }

  /** Folds one record into the batch; returns the source of an accepted message. */
  function handleRecord(record: StreamRecord, decoded: Decoded, seen: Set<string>, day: string): WireMessage['source'] | undefined {
    batch.records += 1
    batch.advance(record.topic, record.partition, record.offset)
    if (!decoded.ok) {
      const source = record.topic.startsWith(FILE_TOPIC_PREFIX) ? 'replay' : sourceOf(record.topic)
      reject(record, day, source, decoded.reason, decoded.detail)
      return undefined
    }
    const { message, tsMs } = decoded
    const source = message.source
    const idHash = messageIdHash(message.id)
    if ((seen.size > 0 && seen.has(message.id)) || taken?.seenIds.has(message.id, idHash)) {
      batch.count(day, source, 'duplicate')
      return undefined
    }
    // Lateness and region are worked out first (neither changes anything) so that accepting a message
    // and finding it a duplicate of this batch is one lookup; a duplicate still counts as a duplicate
    // whatever else is wrong with it.
    const isLate = tsMs < watermarkMs - allowedLatenessMs
    const where = isLate ? undefined : resolve(message)
    if (where === undefined || !where.ok) {
      if (batch.seenIds.has(message.id, idHash)) {
        batch.count(day, source, 'duplicate')
      } else if (where === undefined) {
        reject(record, day, source, 'too_late', `ts ${message.ts} is more than ${allowedLatenessMs / 3_600_000} h behind the stream's watermark ${new Date(watermarkMs).toISOString()}`)
      } else {
        reject(record, day, source, where.reason, where.detail)
      }
      return undefined
    }
    if (!batch.seenIds.add(message.id, tsMs, idHash)) {
      batch.count(day, source, 'duplicate')
      return undefined
    }
    const cell = batch.leaves.cell(where.region, minuteStart(tsMs))
    if (message.kind === 'case') {
      foldCase(message, tsMs, where.region)
    } else {
      foldReading(message, tsMs, cell)
    }
    batch.seen(cell, tsMs)
    if (tsMs > watermarkMs) {
      watermarkMs = tsMs
    }
    return source
  }

  /** Folds a reading into its region's minute cell. */
  function foldReading(m: Reading, tsMs: number, at: BucketCell): void {
    const { leaves } = batch
    const { columns } = leaves
    switch (m.kind) {
      case 'segment': {
        const { flow, speed_kmh: speed, free_flow_kmh: freeFlow } = m.values
        columns.observe(leaves.rowIn(at, 'traffic.flow'), 'sum', flow)
        columns.observe(leaves.rowIn(at, 'traffic.speed'), 'mean', speed)
        columns.observe(leaves.rowIn(at, 'traffic.speed_p15'), 'histogram', speed)
        // Below 1 km/h a segment is at a standstill; capping keeps the index finite.
        columns.observe(leaves.rowIn(at, 'traffic.tti'), 'weighted_mean', freeFlow / Math.max(speed, 1), flow)
        return
      }
      case 'parking':
        columns.observeLatest(leaves.rowIn(at, 'traffic.parking_occupancy'), m.device, tsMs, m.values.occupied, m.values.capacity)
        return
      case 'air': {
        const values = m.values as Record<string, number | undefined>
        for (const pollutant in values) {
          const value = values[pollutant]
          if (value !== undefined) {
            columns.observe(leaves.rowIn(at, AIR_METRICS[pollutant] ?? `env.${pollutant}`), 'mean', value)
          }
        }
        return
      }
      case 'noise':
        columns.observe(leaves.rowIn(at, 'env.noise'), 'energy_mean', m.values.laeq_db)
    }
  }

  function foldCase(m: CaseEvent, tsMs: number, region: string): void {
    const before = caseStates.get(m.case)?.state
    const after = applyCaseEvent(before, {
      case: m.case, stage: m.stage, category: m.category, channel: m.channel, severity: m.severity, title: m.title,
      dept: m.dept, tsMs, deadlineMs: m.deadline === undefined ? null : parseTime(m.deadline), region,
    })
    for (const c of before ? contributionsOf(before) : []) {
      batch.retract(c.region, c.metric, minuteStart(c.tsMs), 1)
    }
    for (const c of contributionsOf(after)) {
      batch.observe(c.region, c.metric, minuteStart(c.tsMs), 'sum', 1)
    }
    // Re-inserted, so the map's order is least recently changed first (see forgetOldCases).
    caseStates.delete(m.case)
    caseStates.set(m.case, { state: after, generation })
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
      caseStates.set(state.id, { state, generation })
    }
  }

  /**
   * Every work order ever seen would stay in memory for good (thousands a day). Between batches, the
   * least recently changed beyond maxCasesInMemory are dropped, if their last change is two batches
   * old: consumers commit a taken batch before they take the next (and start a new pipeline when a
   * commit fails), so that change is in the store, where an event for the case finds it again.
   */
  function forgetOldCases(): void {
    for (const [id, { generation: changedIn }] of caseStates) {
      if (caseStates.size <= maxCasesInMemory || changedIn >= generation - 1) {
        return
      }
      caseStates.delete(id)
    }
  }

  function releaseTaken(): void {
    taken?.releaseArrays()
    taken = undefined
    takenIsStored = false
  }

  return {
    handle,
    /**
     * Hands over the accumulated batch and starts a new one. The consumer must have committed the
     * batch taken before (or dropped this pipeline): its arrays go to the new batches.
     */
    takeBatch(): Batch {
      releaseTaken()
      taken = batch
      batch = new Batch()
      generation += 1
      forgetOldCases()
      return taken
    },
    /**
     * The batch was committed: from the next `handle` on, the store's lookup finds its ids, and the
     * pipeline stops looking them up itself (one probe less per message while no commit runs).
     */
    stored(committed: Batch): void {
      if (committed === taken) {
        takenIsStored = true
      }
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
