import type { HexMesh } from './hex-mesh.js'

/**
 * Boundary rings of a set of cells as vertex ids, counter-clockwise for outer rings. A connected set
 * without holes has exactly one ring.
 */
export function traceRings(mesh: HexMesh, cells: readonly number[]): number[][] {
  const members = new Set(cells)
  const next = new Map<number, number>()
  for (const c of cells) {
    const { corners, neighbors } = mesh.cells[c]!
    neighbors.forEach((n, i) => {
      if (n < 0 || !members.has(n)) {
        next.set(corners[i]!, corners[(i + 1) % 6]!)
      }
    })
  }
  const rings: number[][] = []
  const seen = new Set<number>()
  for (const start of next.keys()) {
    if (seen.has(start)) {
      continue
    }
    const ring = [start]
    seen.add(start)
    for (let v = next.get(start)!; v !== start; v = next.get(v)!) {
      ring.push(v)
      seen.add(v)
    }
    rings.push(ring)
  }
  return rings
}
