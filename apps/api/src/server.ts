import type { FastifyInstance } from 'fastify'

/** The only place that listens: binds the app to a port. */
export async function listen(app: FastifyInstance, port: number, host = '0.0.0.0'): Promise<string> {
  return app.listen({ port, host })
}
