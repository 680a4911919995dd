import { distanceToSegment, type Vec } from './geo.js'
import type { HexMesh } from './hex-mesh.js'

/**
 * Smooths and thins the borders between leaf regions. Each mesh vertex gets one final position and one
 * keep/drop decision, so every ring at every level that uses a border uses the very same vertices.
 */
export interface BorderShape {
  position(vertex: number): Vec
  isKept(vertex: number): boolean
  /** Kept vertices of each border between junctions, for the planarity check. */
  chains: number[][]
}

export interface ShapeOptions {
  iterations: number
  toleranceKm: number
}

export function shapeBorders(mesh: HexMesh, leafOf: readonly number[], options: ShapeOptions): BorderShape {
  const adjacency = borderGraph(mesh, leafOf)
  const positions = smooth(mesh.vertices, adjacency, options.iterations)
  const dropped = new Set<number>()
  const chains = walkChains(adjacency).map((chain) => {
    const kept = simplify(chain, positions, options.toleranceKm)
    chain.forEach((v, i) => {
      if (!kept.has(i)) {
        dropped.add(v)
      }
    })
    return chain.filter((_, i) => kept.has(i))
  })
  return { position: (v) => positions[v]!, isKept: (v) => !dropped.has(v), chains }
}

function borderGraph(mesh: HexMesh, leafOf: readonly number[]): Map<number, number[]> {
  const adjacency = new Map<number, number[]>()
  const link = (a: number, b: number) => {
    adjacency.set(a, [...(adjacency.get(a) ?? []), b])
  }
  mesh.cells.forEach((cell, c) => {
    cell.neighbors.forEach((n, i) => {
      if (n >= 0 && (n < c || leafOf[n] === leafOf[c])) {
        return
      }
      const a = cell.corners[i]!
      const b = cell.corners[(i + 1) % 6]!
      link(a, b)
      link(b, a)
    })
  })
  return adjacency
}

function smooth(vertices: readonly Vec[], adjacency: Map<number, number[]>, iterations: number): Vec[] {
  let positions = [...vertices]
  for (let step = 0; step < iterations; step++) {
    const current = positions
    positions = current.map((p, v) => {
      const around = adjacency.get(v)
      if (around?.length !== 2) {
        return p
      }
      const [a, b] = [current[around[0]!]!, current[around[1]!]!]
      return [p[0] / 2 + (a[0] + b[0]) / 4, p[1] / 2 + (a[1] + b[1]) / 4]
    })
  }
  return positions
}

function walkChains(adjacency: Map<number, number[]>): number[][] {
  const visited = new Set<string>()
  const chains: number[][] = []
  const walk = (start: number, first: number) => {
    const chain = [start, first]
    visited.add(`${start},${first}`).add(`${first},${start}`)
    while (adjacency.get(chain.at(-1)!)!.length === 2 && chain.at(-1) !== start) {
      const [previous, last] = [chain.at(-2)!, chain.at(-1)!]
      const next = adjacency.get(last)!.find((n) => n !== previous)!
      if (visited.has(`${last},${next}`)) {
        break
      }
      visited.add(`${last},${next}`).add(`${next},${last}`)
      chain.push(next)
    }
    chains.push(chain)
  }
  const junctions = [...adjacency.keys()].filter((v) => adjacency.get(v)!.length !== 2)
  const loops = [...adjacency.keys()].filter((v) => adjacency.get(v)!.length === 2)
  for (const start of [...junctions, ...loops]) {
    for (const first of adjacency.get(start)!) {
      if (!visited.has(`${start},${first}`)) {
        walk(start, first)
      }
    }
  }
  return chains
}

/** Douglas-Peucker; returns the indexes kept. */
function simplify(chain: readonly number[], positions: readonly Vec[], tolerance: number): Set<number> {
  const points = chain.map((v) => positions[v]!)
  const kept = new Set([0, chain.length - 1])
  const split = (from: number, to: number) => {
    let worst = -1
    let worstDistance = tolerance
    for (let i = from + 1; i < to; i++) {
      const d = distanceToSegment(points[i]!, points[from]!, points[to]!)
      if (d > worstDistance) {
        worst = i
        worstDistance = d
      }
    }
    if (worst >= 0) {
      kept.add(worst)
      split(from, worst)
      split(worst, to)
    }
  }
  // Keeping the middle point stops two borders between the same junctions collapsing onto one line.
  const middle = Math.floor(chain.length / 2)
  kept.add(middle)
  split(0, middle)
  split(middle, chain.length - 1)
  return kept
}
