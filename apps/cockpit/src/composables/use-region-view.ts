import type { RegionNode, RegionSnapshot } from '@city/metrics/wire'
import { computed, toValue, type MaybeRefOrGetter, type Ref } from 'vue'
import type { MapItem } from '@/charts/map-option'
import { findPath, levelName } from '@/lib/region-path'
import { rankChildren } from '@/lib/ranking'

export interface RegionViewSources {
  tree: Ref<RegionNode | null>
  index: Ref<ReadonlyMap<string, RegionNode>>
  /** The route's region, or undefined for the city (root). */
  regionId: MaybeRefOrGetter<string | undefined>
  snapshot: MaybeRefOrGetter<RegionSnapshot | null>
  indicator: MaybeRefOrGetter<string>
}

/** Everything the page derives from the tree, the route and the snapshot: pure reads, no side effects. */
export function useRegionView(sources: RegionViewSources) {
  const { tree, index } = sources
  const snapshot = computed(() => toValue(sources.snapshot))
  const path = computed(() => {
    const root = tree.value
    if (!root) {
      return null
    }
    return findPath(root, toValue(sources.regionId) ?? root.id)
  })
  const node = computed(() => path.value?.at(-1) ?? null)
  const isLeaf = computed(() => (node.value?.children.length ?? 0) === 0)
  const regionNames = computed(() => new Map([...index.value].map(([id, n]) => [id, n.name])))
  const childLevel = computed(() => {
    const child = node.value?.children[0]
    return child ? levelName(child.level) : ''
  })

  const mapItems = computed<MapItem[]>(() => {
    const current = node.value
    if (!current) {
      return []
    }
    const metricId = toValue(sources.indicator)
    if (isLeaf.value) {
      return [{ id: current.id, name: current.name, value: snapshot.value?.values[metricId]?.current ?? null }]
    }
    const children = new Map(snapshot.value?.children.map((c) => [c.region, c]) ?? [])
    return current.children.map((child) => ({
      id: child.id,
      name: child.name,
      value: children.get(child.id)?.values[metricId]?.current ?? null,
    }))
  })

  const rankRows = computed(() => (node.value
    ? rankChildren(node.value, snapshot.value?.children ?? [], toValue(sources.indicator))
    : []))

  return { path, node, isLeaf, regionNames, childLevel, mapItems, rankRows }
}
