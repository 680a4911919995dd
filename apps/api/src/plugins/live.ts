import fp from 'fastify-plugin'
import { Server } from 'socket.io'
import { Compile } from 'typebox/compile'
import { COMMIT_CHANNEL } from '@city/platform'
import { LIVE_NAMESPACE, SubscribeRequest, type LiveClientEvents, type LiveServerEvents, type RegionSnapshot } from '@city/metrics/wire'
import { loadSnapshot } from '../queries/snapshot.js'

export interface LiveOptions {
  /** How often dirty rooms are recomputed and pushed; updates within a tick coalesce. @default 1000 */
  tickMs?: number
  /** Every room is recomputed at least this often, so staleness shows even when nothing commits. @default 5000 */
  refreshMs?: number
}

declare module 'fastify' {
  interface FastifyInstance {
    live: Server<LiveClientEvents, LiveServerEvents>
  }
}

const isSubscribe = Compile(SubscribeRequest)
const roomOf = (region: string) => `region:${region}`

/**
 * Socket.io namespace /live, one room per region. A client subscribes to a region and gets its snapshot;
 * after each commit, rooms are recomputed at most once per tick and get the new snapshot as `update`.
 */
export default fp<LiveOptions>(async (app, { tickMs = 1000, refreshMs = 5000 }) => {
  const io = new Server<LiveClientEvents, LiveServerEvents>(app.server, { serveClient: false, cors: { origin: true } })
  const live = io.of(LIVE_NAMESPACE)
  const { db, tree, timeZone, staleAfterMs, now } = app.city
  const snapshotOf = (region: string): Promise<RegionSnapshot> => loadSnapshot(db, tree, region, { nowMs: now(), timeZone, staleAfterMs })
  let dirty = false
  let lastRefresh = 0
  let busy = false

  live.on('connection', (socket) => {
    socket.on('subscribe', async (request) => {
      if (!isSubscribe.Check(request) || !tree.get(request.region)) {
        socket.emit('failure', { code: 'API_UNKNOWN_REGION', message: `cannot subscribe to ${JSON.stringify(request?.region)}: no such region` })
        return
      }
      await socket.join(roomOf(request.region))
      try {
        socket.emit('snapshot', await snapshotOf(request.region))
      } catch (error) {
        app.log.error({ err: error }, 'snapshot failed')
        socket.emit('failure', { code: 'API_INTERNAL', message: 'snapshot failed; retrying with the next update' })
      }
    })
    socket.on('unsubscribe', (request) => {
      if (isSubscribe.Check(request)) {
        void socket.leave(roomOf(request.region))
      }
    })
  })

  const unsubscribe = app.city.pubsub.subscribe(COMMIT_CHANNEL, () => {
    dirty = true
  })

  async function push(): Promise<void> {
    if (busy || (!dirty && Date.now() - lastRefresh < refreshMs)) {
      return
    }
    busy = true
    dirty = false
    lastRefresh = Date.now()
    try {
      for (const [room, members] of live.adapter.rooms) {
        if (room.startsWith('region:') && members.size > 0) {
          live.to(room).emit('update', await snapshotOf(room.slice('region:'.length)))
        }
      }
    } catch (error) {
      app.log.error({ err: error }, 'live push failed')
    } finally {
      busy = false
    }
  }
  const timer = setInterval(() => void push(), tickMs)

  app.decorate('live', io)
  app.addHook('onClose', async () => {
    clearInterval(timer)
    unsubscribe()
    await io.close()
  })
}, { name: 'live', dependencies: ['context'] })
