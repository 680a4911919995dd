import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { DEPARTMENTS } from '@city/metrics'
import { ApiError, DepartmentsResponse, RegionId, type DepartmentRow } from '@city/metrics/wire'
import { formatSchemaErrors } from '../errors.js'
import { departmentCounts } from '../queries/cases.js'
import { rangeOf, regionOf } from './series.js'

const querystring = Type.Object({
  region: RegionId,
  from: Type.String({ format: 'date-time' }),
  to: Type.String({ format: 'date-time' }),
})

const NAMES = new Map(DEPARTMENTS.map((d) => [d.id, d.name]))
/** Cases not yet dispatched (派遣) have no department. */
const UNASSIGNED = '待派遣'

/** Accountability per department (责任部门考核): a region's work orders by the department handling them. */
const casesByDepartment: FastifyPluginAsyncTypebox = async (app) => {
  const schema = { querystring, response: { 200: DepartmentsResponse, 400: ApiError, 404: ApiError } }
  app.get('/', { schema, schemaErrorFormatter: formatSchemaErrors }, async ({ query }) => {
    const { db, tree, now } = app.city
    const region = regionOf(tree, query.region)
    const { fromMs, toMs } = rangeOf(query.from, query.to)
    const nowMs = now()
    const counts = await departmentCounts(db, region.id, fromMs, toMs, nowMs)
    const items: DepartmentRow[] = counts
      .map((c) => ({ ...c, name: c.dept === null ? UNASSIGNED : NAMES.get(c.dept) ?? c.dept, onTimeRate: c.closed === 0 ? null : c.closedOnTime / c.closed }))
      .sort((a, b) => b.overdue - a.overdue || b.open - a.open || a.name.localeCompare(b.name, 'zh-CN'))
    return { region: region.id, from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString(), asOf: new Date(nowMs).toISOString(), items }
  })
}

export default casesByDepartment
