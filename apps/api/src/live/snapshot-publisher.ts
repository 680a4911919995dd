import { diffSnapshots, type RegionSnapshot } from '@city/metrics/wire'
import { COMMIT_CHANNEL, type CommitNotice, type PubSub } from '@city/platform'
import type { LiveStore } from './live-store.js'

export interface SnapshotPublisherOptions {
  store: LiveStore
  /** Where commit notices arrive (COMMIT_CHANNEL). */
  notices: PubSub
  /** Snapshots of the given regions, in their order (one call for all the regions due at once). */
  compute: (regions: string[]) => Promise<RegionSnapshot[]>
  /**
   * A region is published at most once per tick (less 10% for jitter); the commits in between coalesce
   * into the next one. Also the lead's renewal interval.
   */
  tickMs: number
  /** A watched region not published for this long is recomputed, so staleness shows when nothing commits. */
  refreshMs: number
  onError: (error: unknown) => void
}

export interface SnapshotPublisher {
  isLeading(): boolean
  /** Stops the timers and waits for a run in progress. */
  stop(): Promise<void>
}

const GAP_SLACK = 0.1

const isCommitNotice = (m: unknown): m is CommitNotice => Array.isArray((m as CommitNotice | null)?.regions)

/**
 * The one place that computes live snapshots. While this node leads, commit notices mark regions dirty;
 * the watched ones among them are recomputed and published at once, unless published less than a tick
 * ago (then when that tick ends, coalescing the commits in between). On taking the lead and after a
 * store reconnect every watched region is recomputed, so nothing lost in a failover or a Redis restart
 * stays lost; a region nobody published for refreshMs is recomputed too.
 */
export function startSnapshotPublisher(options: SnapshotPublisherOptions): SnapshotPublisher {
  const { store, compute, tickMs, refreshMs, onError } = options
  // Commits arrive about once a tick with some jitter; a gap of exactly one tick would lock onto that
  // cadence and hold every update back by up to a tick. A little slack lets each one through at once.
  const minGapMs = tickMs * (1 - GAP_SLACK)
  const dirty = new Set<string>()
  const publishedAt = new Map<string, number>()
  /** What this node last published per region: the base of the next patch. */
  const lastPublished = new Map<string, RegionSnapshot>()
  let watched = new Set<string>()
  let leading = false
  let timer: NodeJS.Timeout | undefined
  let timerAt = Infinity
  let running: Promise<void> | undefined
  let beating = false
  let stopped = false

  const markAll = () => watched.forEach((region) => dirty.add(region))
  const stopNotices = options.notices.subscribe(COMMIT_CHANNEL, (message) => {
    if (isCommitNotice(message)) {
      message.regions.forEach((region) => dirty.add(region))
      schedule()
    }
  })
  const stopReconnect = store.onReconnect(() => {
    markAll()
    schedule()
  })

  async function beat(): Promise<void> {
    if (beating) {
      return
    }
    beating = true
    try {
      await renew()
    } finally {
      beating = false
    }
  }

  async function renew(): Promise<void> {
    const lead = await store.lead().catch((error: unknown) => {
      onError(error)
      return 'lost' as const
    })
    leading = lead !== 'lost'
    if (!leading) {
      dirty.clear()
      lastPublished.clear()
      return
    }
    const now = await store.watched(Date.now()).catch((error: unknown) => {
      onError(error)
      return [...watched]
    })
    // A region someone started watching is published without waiting for its next commit.
    now.filter((region) => !watched.has(region)).forEach((region) => dirty.add(region))
    watched = new Set(now)
    if (lead === 'acquired') {
      markAll()
    }
    for (const region of watched) {
      if (Date.now() - (publishedAt.get(region) ?? -Infinity) >= refreshMs) {
        dirty.add(region)
      }
    }
    for (const region of publishedAt.keys()) {
      if (!watched.has(region)) {
        publishedAt.delete(region)
        lastPublished.delete(region)
      }
    }
    schedule()
  }

  const dueAt = (region: string) => (publishedAt.get(region) ?? -Infinity) + minGapMs

  /** Arms the timer for the earliest moment a dirty, watched region may be published. */
  function schedule(): void {
    if (stopped || !leading || running) {
      return
    }
    let at = Infinity
    for (const region of dirty) {
      if (watched.has(region)) {
        at = Math.min(at, dueAt(region))
      }
    }
    if (at === Infinity || at >= timerAt) {
      return
    }
    clearTimeout(timer)
    timerAt = at
    timer = setTimeout(() => {
      timer = undefined
      timerAt = Infinity
      running = run().finally(() => {
        running = undefined
        schedule()
      })
    }, Math.max(0, at - Date.now()))
  }

  async function run(): Promise<void> {
    const now = Date.now()
    const due = [...dirty].filter((region) => watched.has(region) && dueAt(region) <= now)
    for (const region of dirty) {
      // Regions nobody watches are dropped; those published too recently wait for their turn.
      if (!watched.has(region) || due.includes(region)) {
        dirty.delete(region)
      }
    }
    if (due.length === 0 || !leading || stopped) {
      return
    }
    const at = Date.now()
    due.forEach((region) => publishedAt.set(region, at))
    try {
      const outcomes = await Promise.all((await compute(due)).map(publish))
      if (outcomes.includes('fenced')) {
        leading = false
      }
    } catch (error) {
      due.forEach((region) => dirty.add(region))
      onError(error)
    }
  }

  async function publish(snapshot: RegionSnapshot) {
    const previous = lastPublished.get(snapshot.region)
    const outcome = await store.publish({ snapshot, patch: previous ? diffSnapshots(previous, snapshot) : null })
    if (outcome === 'published') {
      lastPublished.set(snapshot.region, snapshot)
    } else {
      lastPublished.delete(snapshot.region)
    }
    return outcome
  }

  void beat()
  const heartbeat = setInterval(() => void beat(), tickMs)
  return {
    isLeading: () => leading,
    async stop() {
      stopped = true
      clearInterval(heartbeat)
      clearTimeout(timer)
      stopNotices()
      stopReconnect()
      await running
    },
  }
}
