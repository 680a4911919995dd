import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { CASE_CATEGORIES, DEPARTMENTS, METRICS } from '@city/metrics'

/** The metric catalog, case categories and departments, for clients that do not share our code. */
const catalog: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/metrics', { schema: { response: { 200: Type.Array(Type.Unknown()) } } }, async () => [...METRICS])
  app.get('/case-categories', { schema: { response: { 200: Type.Array(Type.Unknown()) } } }, async () => [...CASE_CATEGORIES])
  app.get('/departments', { schema: { response: { 200: Type.Array(Type.Unknown()) } } }, async () => [...DEPARTMENTS])
}

export default catalog
