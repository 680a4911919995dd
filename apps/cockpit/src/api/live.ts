import { applySnapshotPatch, LIVE_NAMESPACE, type SnapshotPatch } from '@city/metrics/live'
import type { LiveClientEvents, LiveServerEvents, RegionSnapshot } from '@city/metrics/wire'
import { io, type Socket } from 'socket.io-client'
import { readonly, ref } from 'vue'

/** `connecting` before the first connection, `reconnecting` after losing one. */
export type LiveStatus = 'connecting' | 'connected' | 'reconnecting'

export interface LiveSubscription {
  region: string
  onSnapshot: (snapshot: RegionSnapshot) => void
  onUpdate: (snapshot: RegionSnapshot) => void
  /** Called when the socket (re)connects and the region is asked for again: what is shown is not live until the answer comes. */
  onResubscribe?: () => void
}

const status = ref<LiveStatus>('connecting')
const error = ref<string | null>(null)
const attempts = ref(0)
const subscriptions = new Set<LiveSubscription>()
const regionCounts = new Map<string, number>()
/** What the server last sent per region (snapshot, update or patched): the base of its next patch. */
const held = new Map<string, RegionSnapshot>()
let socket: Socket<LiveServerEvents, LiveClientEvents> | null = null

function dispatch(kind: 'onSnapshot' | 'onUpdate', snapshot: RegionSnapshot) {
  if (!regionCounts.has(snapshot.region)) {
    return
  }
  held.set(snapshot.region, snapshot)
  for (const subscription of subscriptions) {
    if (subscription.region === snapshot.region) {
      subscription[kind](snapshot)
    }
  }
}

/** A patch applies to the snapshot held; if it is not the patch's base (never expected), ask for the region again. */
function applyPatch(s: Socket<LiveServerEvents, LiveClientEvents>, patch: SnapshotPatch) {
  const base = held.get(patch.region)
  const next = base && applySnapshotPatch(base, patch)
  if (next) {
    dispatch('onUpdate', next)
  } else if (regionCounts.has(patch.region)) {
    s.emit('subscribe', { region: patch.region })
  }
}

function onConnect(s: Socket<LiveServerEvents, LiveClientEvents>) {
  status.value = 'connected'
  error.value = null
  attempts.value = 0
  for (const region of regionCounts.keys()) {
    s.emit('subscribe', { region })
  }
  subscriptions.forEach((subscription) => subscription.onResubscribe?.())
}

// One socket for the whole app, opened on first use so that importing this module never connects.
function ensureSocket(): Socket<LiveServerEvents, LiveClientEvents> {
  if (socket) {
    return socket
  }
  const s: Socket<LiveServerEvents, LiveClientEvents> = io(LIVE_NAMESPACE, {
    reconnection: true,
    reconnectionDelay: 1_000,
    // Capped so a screen is back within 5 s of its network or API node returning (a new snapshot follows).
    reconnectionDelayMax: 4_000,
    randomizationFactor: 0.5,
    timeout: 10_000,
  })
  s.on('connect', () => onConnect(s))
  s.on('disconnect', (reason) => {
    held.clear()
    status.value = 'reconnecting'
    // The server closed us on purpose (e.g. a rolling restart); socket.io does not retry that by itself.
    if (reason === 'io server disconnect') {
      s.connect()
    }
  })
  s.on('connect_error', (err) => {
    status.value = status.value === 'connecting' ? 'connecting' : 'reconnecting'
    error.value = err.message
  })
  s.io.on('reconnect_attempt', (attempt) => {
    attempts.value = attempt
  })
  s.on('snapshot', (snapshot) => dispatch('onSnapshot', snapshot))
  s.on('update', (snapshot) => dispatch('onUpdate', snapshot))
  s.on('patch', (patch) => applyPatch(s, patch))
  s.on('failure', (failure) => {
    error.value = `${failure.code}: ${failure.message}`
  })
  socket = s
  return s
}

/** Receives the region's snapshot and updates until the returned function is called. */
function subscribe(subscription: LiveSubscription): () => void {
  const s = ensureSocket()
  subscriptions.add(subscription)
  const count = regionCounts.get(subscription.region) ?? 0
  regionCounts.set(subscription.region, count + 1)
  // Asked again even when the region is already joined: only the answer brings the newcomer its snapshot.
  if (s.connected) {
    s.emit('subscribe', { region: subscription.region })
  }
  return () => {
    if (!subscriptions.delete(subscription)) {
      return
    }
    const left = (regionCounts.get(subscription.region) ?? 1) - 1
    if (left > 0) {
      regionCounts.set(subscription.region, left)
      return
    }
    regionCounts.delete(subscription.region)
    held.delete(subscription.region)
    if (s.connected) {
      s.emit('unsubscribe', { region: subscription.region })
    }
  }
}

/** The single live connection: status refs plus subscribe; components reach the socket only through this. */
export const live = {
  status: readonly(status),
  error: readonly(error),
  attempts: readonly(attempts),
  subscribe,
}

export type Live = typeof live
