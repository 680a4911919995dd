import fp from 'fastify-plugin'
import type { RegionTree } from '@city/metrics'
import type { Db, PubSub } from '@city/platform'

export interface ApiContext {
  db: Db
  pubsub: PubSub
  tree: RegionTree
  /** The city's zone: "today" starts at its midnight. */
  timeZone: string
  /** A region whose newest data is older than this is marked stale. */
  staleAfterMs: number
  now: () => number
}

declare module 'fastify' {
  interface FastifyInstance {
    city: ApiContext
  }
}

/** The long-lived resources every route needs: database, pub/sub, the region tree and clock. */
export default fp<{ context: ApiContext }>(async (app, { context }) => {
  app.decorate('city', context)
}, { name: 'context' })
