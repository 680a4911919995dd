import type { ChildValues, RegionNode } from '@city/metrics/wire'

export interface RankRow {
  id: string
  name: string
  value: number | null
}

/**
 * The region's children with one metric's current value, highest first; children with no data come last
 * (in tree order) so a missing value never ranks as 0.
 */
export function rankChildren(node: RegionNode, children: readonly ChildValues[], metricId: string): RankRow[] {
  const byId = new Map(children.map((child) => [child.region, child]))
  const rows = node.children.map((child) => ({
    id: child.id,
    name: child.name,
    value: byId.get(child.id)?.values[metricId]?.current ?? null,
  }))
  const withData = rows.filter((row) => row.value !== null).sort((a, b) => (b.value ?? 0) - (a.value ?? 0))
  return [...withData, ...rows.filter((row) => row.value === null)]
}
