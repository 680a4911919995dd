import type { RegionLevel, RegionNode } from '@city/metrics/wire'

const LEVEL_NAMES: Record<RegionLevel, string> = {
  city: '市',
  district: '区',
  street: '街道',
  community: '社区',
}

/** The regions from the root down to `id` (both included), or null when `id` is not in the tree. */
export function findPath(root: RegionNode, id: string): RegionNode[] | null {
  if (root.id === id) {
    return [root]
  }
  for (const child of root.children) {
    const below = findPath(child, id)
    if (below) {
      return [root, ...below]
    }
  }
  return null
}

/** Every region by id, for name look-ups of children and case locations. */
export function indexRegions(root: RegionNode): Map<string, RegionNode> {
  const index = new Map<string, RegionNode>()
  const visit = (node: RegionNode) => {
    index.set(node.id, node)
    node.children.forEach(visit)
  }
  visit(root)
  return index
}

export function levelName(level: RegionLevel): string {
  return LEVEL_NAMES[level]
}
