import { STATUS_CODES } from 'node:http'
import fp from 'fastify-plugin'

/** One error handler: 4xx errors show their message (naming the field); 5xx are logged and hidden. */
export default fp(async (app) => {
  app.setErrorHandler((error: { statusCode?: number, code?: string, message: string, validation?: unknown }, request, reply) => {
    const statusCode = error.statusCode ?? 500
    if (statusCode >= 500) {
      request.log.error({ err: error, url: request.url }, 'request failed')
      return reply.status(statusCode).send({ statusCode, code: 'API_INTERNAL', error: 'Internal Server Error', message: 'internal error' })
    }
    const code = error.validation ? 'API_BAD_PARAMETER' : (error.code ?? 'API_BAD_REQUEST')
    return reply.status(statusCode).send({ statusCode, code, error: STATUS_CODES[statusCode] ?? 'Error', message: error.message })
  })
}, { name: 'errors' })
