import { existsSync } from 'node:fs'
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import fastifyStatic from '@fastify/static'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import errors from './plugins/errors.js'
import context, { type ApiContext } from './plugins/context.js'
import metrics from './plugins/metrics.js'
import live, { type LiveOptions } from './plugins/live.js'
import regions from './routes/regions.js'
import series from './routes/series.js'
import rankings from './routes/rankings.js'
import casesByDepartment from './routes/cases-by-department.js'
import quality from './routes/quality.js'
import catalog from './routes/metrics-catalog.js'
import health from './routes/health.js'

export interface AppConfig {
  context: ApiContext
  /** Built cockpit (apps/cockpit/dist) to serve at /, if present. */
  cockpitDir?: string
  live?: LiveOptions
  logger?: FastifyServerOptions['logger']
}

/** The API as a plugin tree; tests `inject` into it, server.ts listens. */
export async function buildApp(config: AppConfig) {
  const app = Fastify({ logger: config.logger ?? false }).withTypeProvider<TypeBoxTypeProvider>()
  // Payloads are built from our own typed queries; plain JSON keeps nested/cyclic schemas simple.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data))
  await app.register(errors)
  await app.register(context, { context: config.context })
  await app.register(metrics)
  await app.register(live, config.live ?? {})
  await app.register(health)
  await app.register(regions, { prefix: '/api/v1/regions' })
  await app.register(series, { prefix: '/api/v1/series' })
  await app.register(rankings, { prefix: '/api/v1/rankings' })
  await app.register(casesByDepartment, { prefix: '/api/v1/cases/by-department' })
  await app.register(quality, { prefix: '/api/v1/quality' })
  await app.register(catalog, { prefix: '/api/v1' })
  await registerCockpit(app, config.cockpitDir)
  return app
}

async function registerCockpit(app: FastifyInstance, dir: string | undefined) {
  const hasCockpit = dir !== undefined && existsSync(`${dir}/index.html`)
  if (hasCockpit) {
    // Wildcard serving finds files built after start-up (a rebuilt cockpit); misses fall to the handler below.
    await app.register(fastifyStatic, { root: dir })
  }
  // Cockpit routes (/r/:id) are client-side: unknown non-API paths get index.html.
  app.setNotFoundHandler((request, reply) => {
    if (hasCockpit && request.method === 'GET' && !request.url.startsWith('/api/')) {
      return reply.sendFile('index.html')
    }
    return reply.status(404).send({ statusCode: 404, code: 'API_NOT_FOUND', error: 'Not Found', message: `no route ${request.method} ${request.url}` })
  })
}
