import { aqiOf, containsPoint, findCategory, type RegionTree } from '@city/metrics'

/**
 * An independent recomputation from the raw stream, for checking what the product shows. It shares
 * only the region tree and the AQI table with the product; everything else is plain loops over the
 * messages, written differently on purpose (no partials, no rollups, no case state machine).
 */
export interface RawMessage {
  topic: string
  value: string
  bad?: string
}

interface Located {
  tsMs: number
  lineage: string[]
  body: Record<string, unknown> & { kind: string, values?: Record<string, number>, device?: string }
}

const STAGE_ORDER = ['reported', 'registered', 'dispatched', 'handled', 'closed', 'reopened', 'cancelled']

export function createOracle(messages: readonly RawMessage[], tree: RegionTree, devices: readonly { id: string, region: string }[]) {
  const deviceRegion = new Map(devices.map((d) => [d.id, d.region]))
  const leaves = tree.leaves()
  const located: Located[] = []
  for (const m of messages) {
    if (m.bad) {
      continue
    }
    const body = JSON.parse(m.value) as Located['body']
    const leaf = (body.region as string | undefined)
      ?? deviceRegion.get(body.device as string)
      ?? leaves.find((l) => body.loc && containsPoint(l.geometry!, (body.loc as number[])[0]!, (body.loc as number[])[1]!))?.id
    if (!leaf) {
      throw new Error(`oracle: message ${String(body.id)} has no region; the generator should have marked it bad`)
    }
    located.push({ tsMs: Date.parse(body.ts as string), lineage: tree.get(leaf)!.lineage, body })
  }

  const readings = (region: string, kind: string, fromMs: number, toMs: number) =>
    located.filter((r) => r.body.kind === kind && r.lineage.includes(region) && r.tsMs >= fromMs && r.tsMs < toMs)

  function mean(xs: number[]): number | null {
    return xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length
  }

  function reading(metric: string, region: string, fromMs: number, toMs: number): number | null {
    const seg = () => readings(region, 'segment', fromMs, toMs).map((r) => r.body.values!)
    switch (metric) {
      case 'traffic.flow': {
        const s = seg()
        return s.length === 0 ? null : s.reduce((a, v) => a + v.flow!, 0)
      }
      case 'traffic.speed':
        return mean(seg().map((v) => v.speed_kmh!))
      case 'traffic.tti': {
        let num = 0
        let den = 0
        for (const v of seg()) {
          num += v.flow! * (v.free_flow_kmh! / Math.max(v.speed_kmh!, 1))
          den += v.flow!
        }
        return den === 0 ? null : num / den
      }
      case 'traffic.parking_occupancy': {
        const latest = new Map<string, Located>()
        for (const r of readings(region, 'parking', fromMs, toMs)) {
          const seen = latest.get(r.body.device!)
          if (!seen || r.tsMs > seen.tsMs) {
            latest.set(r.body.device!, r)
          }
        }
        const occupied = [...latest.values()].reduce((a, r) => a + r.body.values!.occupied!, 0)
        const capacity = [...latest.values()].reduce((a, r) => a + r.body.values!.capacity!, 0)
        return capacity === 0 ? null : occupied / capacity
      }
      case 'env.noise': {
        const ls = readings(region, 'noise', fromMs, toMs).map((r) => r.body.values!.laeq_db!)
        return ls.length === 0 ? null : 10 * Math.log10(ls.reduce((a, l) => a + 10 ** (l / 10), 0) / ls.length)
      }
      case 'env.aqi': {
        const means = Object.fromEntries(['pm25', 'pm10', 'so2', 'no2', 'o3', 'co'].map((p) => [p, reading(`env.${p}`, region, fromMs, toMs)]))
        return aqiOf(means)?.aqi ?? null
      }
      default:
        if (metric.startsWith('env.')) {
          const field = metric.slice(4)
          return mean(readings(region, 'air', fromMs, toMs).map((r) => r.body.values![field]).filter((x): x is number => x !== undefined))
        }
        throw new Error(`oracle: no recomputation for ${metric}`)
    }
  }

  /** Final facts of every case, from its sorted events. */
  function caseFacts() {
    const byCase = new Map<string, Located[]>()
    for (const r of located.filter((x) => x.body.kind === 'case')) {
      byCase.set(r.body.case as string, [...(byCase.get(r.body.case as string) ?? []), r])
    }
    return [...byCase.values()].map((events) => {
      const sorted = [...events].sort((a, b) => a.tsMs - b.tsMs || STAGE_ORDER.indexOf(a.body.stage as string) - STAGE_ORDER.indexOf(b.body.stage as string))
      const first = sorted[0]!
      const last = sorted[sorted.length - 1]!
      const withDeadline = sorted.filter((e) => typeof e.body.deadline === 'string')
      const deadlineMs = withDeadline.length > 0
        ? Date.parse(withDeadline[withDeadline.length - 1]!.body.deadline as string)
        : first.tsMs + findCategory(first.body.category as string).slaHours * 3_600_000
      // The department of the latest event naming one (equal times: the larger id, as a tie-break).
      const withDept = sorted.filter((e) => typeof e.body.dept === 'string')
        .sort((a, b) => a.tsMs - b.tsMs || ((a.body.dept as string) < (b.body.dept as string) ? -1 : 1))
      const dept = withDept.length > 0 ? withDept[withDept.length - 1]!.body.dept as string : null
      return { lineage: first.lineage, reportedMs: first.tsMs, stage: last.body.stage as string, stageMs: last.tsMs, deadlineMs, dept }
    })
  }

  function cases(metric: string, region: string, fromMs: number, toMs: number, nowMs: number): number | null {
    const facts = caseFacts().filter((c) => c.lineage.includes(region))
    const closed = facts.filter((c) => c.stage === 'closed' && c.stageMs >= fromMs && c.stageMs < toMs)
    const open = facts.filter((c) => c.stage !== 'closed' && c.stage !== 'cancelled')
    switch (metric) {
      case 'cases.reported': {
        const n = facts.filter((c) => c.reportedMs >= fromMs && c.reportedMs < toMs).length
        return n
      }
      case 'cases.closed':
        return closed.length
      case 'cases.closed_on_time':
        return closed.filter((c) => c.stageMs <= c.deadlineMs).length
      case 'cases.on_time_rate':
        return closed.length === 0 ? null : closed.filter((c) => c.stageMs <= c.deadlineMs).length / closed.length
      case 'cases.open':
        return open.length
      case 'cases.overdue':
        return open.filter((c) => nowMs > c.deadlineMs).length
      default:
        throw new Error(`oracle: no recomputation for ${metric}`)
    }
  }

  /**
   * Per department (null: none named yet): the cases.* counts of a region, as value() gives them for all;
   * a department with nothing open, reported or closed in the range is left out.
   */
  function departments(region: string, fromMs: number, toMs: number, nowMs: number) {
    const out = new Map<string | null, { open: number, overdue: number, reported: number, closed: number, closedOnTime: number }>()
    for (const c of caseFacts().filter((f) => f.lineage.includes(region))) {
      const row = out.get(c.dept) ?? { open: 0, overdue: 0, reported: 0, closed: 0, closedOnTime: 0 }
      const isOpen = c.stage !== 'closed' && c.stage !== 'cancelled'
      const closedIn = c.stage === 'closed' && c.stageMs >= fromMs && c.stageMs < toMs
      row.open += isOpen ? 1 : 0
      row.overdue += isOpen && nowMs > c.deadlineMs ? 1 : 0
      row.reported += c.reportedMs >= fromMs && c.reportedMs < toMs ? 1 : 0
      row.closed += closedIn ? 1 : 0
      row.closedOnTime += closedIn && c.stageMs <= c.deadlineMs ? 1 : 0
      out.set(c.dept, row)
    }
    return new Map([...out].filter(([, r]) => r.open + r.reported + r.closed > 0))
  }

  return {
    accepted: located.length,
    departments,
    /** The value of a metric in a region over [fromMs, toMs) (cases.open/overdue: at nowMs). */
    value(metric: string, region: string, fromMs: number, toMs: number, nowMs = toMs): number | null {
      return metric.startsWith('cases.') ? cases(metric, region, fromMs, toMs, nowMs) : reading(metric, region, fromMs, toMs)
    },
  }
}
