import { applyCaseEvent, contributionsOf, minuteStart, type CaseState, type RegionTree } from '@city/metrics'
import { decodeMessage, KIND, parseTime, READING_KINDS, ScannedReading, scanReadingHead, scanReadingRest, TOPICS, VALUE, type CaseEvent, type DecodeOptions, type Decoded, type SourceTopic, type WireMessage } from '@city/metrics/wire'
import type { StreamRecord } from '@city/platform'
import { Batch } from './batch.js'
import { metricId, type BucketCell } from './partial-table.js'
import { hashText } from './text-hash.js'
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
/** Reading topic → the source its readings must have. */
const TOPIC_SOURCE = new Map<string, string>(READING_KINDS.map(({ source }) => [TOPICS[source as keyof typeof TOPICS], source]))
/** The metrics readings fold into, by their number in the partial tables. */
const METRIC = {
  flow: metricId('traffic.flow'),
  speed: metricId('traffic.speed'),
  speedP15: metricId('traffic.speed_p15'),
  tti: metricId('traffic.tti'),
  parking: metricId('traffic.parking_occupancy'),
  noise: metricId('env.noise'),
  air: READING_KINDS[KIND.air]!.fields.map((p) => metricId(`env.${p}`)),
}
/** Int32s per scanned record in handle's heads. */
const HEAD = 4
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
  const { leafOf, resolve, registered } = createRegionResolver(tree, options.devices)
  /** The reading being folded (no call waits while one is): scanned from its text, or its decoded message's kind and values. */
  const reading = new ScannedReading()
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
    // Most records are readings in the producers' own spelling: only their heads are read here, for the
    // ids the store is asked about, and the rest is scanned without JSON.parse as they are folded. The
    // others (and any the scan declines) take decodeMessage.
    const decoded = new Array<Decoded | undefined>(records.length)
    // Per scanned record: its kind, id end, device start (see scanReadingHead) and the id's hash; this
    // call's own, as the store lookup lets other calls run in between.
    const heads = new Int32Array(HEAD * records.length)
    // At most one per record: sized once, not grown (and copied) push by push.
    const ids = new Array<string>(records.length)
    let idCount = 0
    for (let i = 0; i < records.length; i++) {
      const record = records[i]!
      const source = readingSource(record.topic)
      if (source !== undefined && scanReadingHead(record.value, source, reading)) {
        // Ids of messages the scan will reject are asked too: they are few, and asking costs nothing.
        ids[idCount++] = record.value.slice(reading.idStart, reading.idEnd)
        heads[HEAD * i] = reading.kind
        heads[HEAD * i + 1] = reading.idEnd
        heads[HEAD * i + 2] = reading.deviceStart
        heads[HEAD * i + 3] = hashText(record.value, reading.idStart, reading.idEnd)
        continue
      }
      const d = decodeRecord(record, decodeOptions)
      decoded[i] = d
      // Ids this batch already holds are asked too: rare, and cheaper than a second lookup for every id.
      if (d.ok) {
        ids[idCount++] = d.message.id
      }
    }
    ids.length = idCount
    const [seen] = await Promise.all([ids.length > 0 ? loadSeen(ids) : new Set<string>(), loadUnknownCases(decoded)])
    const day = dayFormat.format(nowMs)
    // Accepted messages are counted per call, not per message: one quality key per source instead of one each.
    const accepted: Record<WireMessage['source'], number> = { traffic: 0, environment: 0, events: 0 }
    for (let i = 0, n = 0; i < records.length; i++) {
      const record = records[i]!
      let d = decoded[i]
      if (d === undefined) {
        const id = ids[n++]!
        reading.setHead(heads[HEAD * i]!, heads[HEAD * i + 1]!, heads[HEAD * i + 2]!)
        const source = scanReadingRest(record.value, nowMs, maxSkewMs, reading) ? foldScanned(record, id, heads[HEAD * i + 3]!, seen) : undefined
        if (source !== undefined) {
          accepted[source] += 1
          continue
        }
        d = decodeRecord(record, decodeOptions)
      } else if (d.ok) {
        n++
      }
      const source = handleRecord(record, d, seen, day)
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

  /**
   * The source a topic's readings must have (null: any, for a replayed file), or undefined where its
   * records are not scanned. Records come in runs from one topic: the last answer is kept.
   */
  let lastTopic: { topic: string, source: string | null | undefined } = { topic: '', source: undefined }
  function readingSource(topic: string): string | null | undefined {
    if (topic !== lastTopic.topic) {
      lastTopic = { topic, source: topic.startsWith(FILE_TOPIC_PREFIX) ? null : TOPIC_SOURCE.get(topic) }
    }
    return lastTopic.source
  }

  function decodeRecord(record: StreamRecord, decodeOptions: DecodeOptions): Decoded {
    const fromFile = record.topic.startsWith(FILE_TOPIC_PREFIX)
    if (!fromFile && !SOURCE_TOPICS.has(record.topic)) {
      return { ok: false, reason: 'wrong_topic', detail: `topic ${record.topic} is not a source topic` }
    }
    return decodeMessage(fromFile ? null : record.topic as SourceTopic, record.value, decodeOptions)
  }

  /**
   * The common case for a scanned reading: new, in time, in a known place — folded, and its source
   * returned. For anything else nothing is changed, and the record takes handleRecord.
   */
  function foldScanned(record: StreamRecord, id: string, idHash: number, seen: Set<string>): WireMessage['source'] | undefined {
    // The id read where it stands in the text: its slice would cost a hop on every character read.
    const text = record.value
    const { idStart, idEnd, tsMs, kind } = reading
    if ((seen.size > 0 && seen.has(id)) || taken?.seenIds.hasIn(text, idStart, idEnd, idHash) || tsMs < watermarkMs - allowedLatenessMs) {
      return undefined
    }
    const { deviceStart, deviceEnd } = reading
    const known = registered.find(text, deviceStart, deviceEnd)
    const region = leafOf(reading.regionStart < 0 ? undefined : text.slice(reading.regionStart, reading.regionEnd), known, reading.lon, reading.lat)
    if (region === undefined || !batch.seenIds.addIn(text, idStart, idEnd, tsMs, idHash)) {
      return undefined
    }
    count(record)
    const device = known >= 0 ? registered.devices[known]!.id : text.slice(deviceStart, deviceEnd)
    foldReading(kind, device, tsMs, accept(region, tsMs))
    return READING_KINDS[kind]!.source as WireMessage['source']
  }

  /** Folds one record into the batch; returns the source of an accepted message. */
  function handleRecord(record: StreamRecord, decoded: Decoded, seen: Set<string>, day: string): WireMessage['source'] | undefined {
    count(record)
    if (!decoded.ok) {
      const source = record.topic.startsWith(FILE_TOPIC_PREFIX) ? 'replay' : sourceOf(record.topic)
      reject(record, day, source, decoded.reason, decoded.detail)
      return undefined
    }
    const { message, tsMs } = decoded
    const source = message.source
    const { id } = message
    const idHash = hashText(id)
    if ((seen.size > 0 && seen.has(id)) || taken?.seenIds.hasIn(id, 0, id.length, idHash)) {
      batch.count(day, source, 'duplicate')
      return undefined
    }
    // Lateness and region are worked out first (neither changes anything) so that accepting a message
    // and finding it a duplicate of this batch is one lookup; a duplicate still counts as a duplicate
    // whatever else is wrong with it.
    const isLate = tsMs < watermarkMs - allowedLatenessMs
    const where = isLate ? undefined : resolve(message)
    if (where === undefined || !where.ok) {
      if (batch.seenIds.hasIn(id, 0, id.length, idHash)) {
        batch.count(day, source, 'duplicate')
      } else if (where === undefined) {
        reject(record, day, source, 'too_late', `ts ${message.ts} is more than ${allowedLatenessMs / 3_600_000} h behind the stream's watermark ${new Date(watermarkMs).toISOString()}`)
      } else {
        reject(record, day, source, where.reason, where.detail)
      }
      return undefined
    }
    if (!batch.seenIds.addIn(id, 0, id.length, tsMs, idHash)) {
      batch.count(day, source, 'duplicate')
      return undefined
    }
    if (message.kind === 'case') {
      accept(where.region, tsMs)
      foldCase(message, tsMs, where.region)
    } else {
      reading.setValuesOf(message)
      foldReading(reading.kind, message.device, tsMs, accept(where.region, tsMs))
    }
    return source
  }

  /** A record read: the batch's count and its partition's next offset. */
  function count(record: StreamRecord): void {
    batch.records += 1
    batch.advance(record.topic, record.partition, record.offset)
  }

  /** An accepted message's time noted on its cell and the watermark; the cell it folds into. */
  function accept(region: string, tsMs: number): BucketCell {
    const cell = batch.leaves.cell(region, minuteStart(tsMs))
    batch.seen(cell, tsMs)
    if (tsMs > watermarkMs) {
      watermarkMs = tsMs
    }
    return cell
  }

  /** Folds a reading — its kind, its values in `reading` — into its region's minute cell. */
  function foldReading(kind: number, device: string, tsMs: number, cell: BucketCell): void {
    const { leaves } = batch
    const { columns } = leaves
    const { values } = reading
    switch (kind) {
      case KIND.segment: {
        const flow = values[VALUE.flow]!
        const speed = values[VALUE.speed]!
        const freeFlow = values[VALUE.freeFlow]!
        columns.observe(leaves.rowIn(cell, METRIC.flow), 'sum', flow)
        columns.observe(leaves.rowIn(cell, METRIC.speed), 'mean', speed)
        columns.observe(leaves.rowIn(cell, METRIC.speedP15), 'histogram', speed)
        // Below 1 km/h a segment is at a standstill; capping keeps the index finite.
        columns.observe(leaves.rowIn(cell, METRIC.tti), 'weighted_mean', freeFlow / Math.max(speed, 1), flow)
        return
      }
      case KIND.parking:
        columns.observeLatest(leaves.rowIn(cell, METRIC.parking), device, tsMs, values[VALUE.occupied]!, values[VALUE.capacity]!)
        return
      case KIND.air:
        for (let j = 0; j < METRIC.air.length; j++) {
          const value = values[j]!
          if (!Number.isNaN(value)) {
            columns.observe(leaves.rowIn(cell, METRIC.air[j]!), 'mean', value)
          }
        }
        return
      case KIND.noise:
        columns.observe(leaves.rowIn(cell, METRIC.noise), 'energy_mean', values[VALUE.laeq]!)
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
  async function loadUnknownCases(decoded: readonly (Decoded | undefined)[]): Promise<void> {
    const unknown = new Set<string>()
    for (const d of decoded) {
      if (d?.ok && d.message.kind === 'case' && !caseStates.has(d.message.case)) {
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
