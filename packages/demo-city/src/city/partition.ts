import { hashInts, unitOf, type Random } from '../random.js'
import { distance, type Vec } from './geo.js'
import type { HexMesh } from './hex-mesh.js'
import { createMinHeap } from '../min-heap.js'

export interface GrowOptions {
  /** Larger weights grow larger regions (multiplicatively weighted distance). */
  weights?: readonly number[]
  /** Salt for the border noise, so each level wiggles differently. */
  salt: number
  /** Length scale of the border wiggles. */
  noiseKm: number
}

/** Well-spread seed points: farthest-point sampling, then a few Lloyd (k-means) steps. */
export function pickSeeds(mesh: HexMesh, cells: readonly number[], count: number, random: Random): Vec[] {
  const points = cells.map((c) => mesh.cells[c]!.center)
  const seeds: Vec[] = [random.pick(points)]
  while (seeds.length < count) {
    seeds.push(farthestFrom(points, seeds))
  }
  for (let step = 0; step < 8; step++) {
    const sums = seeds.map(() => [0, 0, 0])
    for (const p of points) {
      const sum = sums[nearest(seeds, p)]!
      sum[0]! += p[0]
      sum[1]! += p[1]
      sum[2]! += 1
    }
    sums.forEach(([x, y, n], i) => {
      const moved = points[nearest(points, [x! / n!, y! / n!])]!
      if (n! > 0 && !seeds.includes(moved)) {
        seeds[i] = moved
      }
    })
  }
  return seeds
}

/** Splits a connected set of cells into one connected group per seed by racing outwards from the seeds. */
export function growRegions(mesh: HexMesh, cells: readonly number[], seeds: readonly Vec[], options: GrowOptions): number[][] {
  const label = new Map<number, number>(cells.map((c) => [c, -1]))
  const heap = createMinHeap<[number, number]>()
  const points = cells.map((c) => mesh.cells[c]!.center)
  seeds.forEach((seed, i) => {
    const start = cells[nearest(points, seed)]!
    heap.push(0, [start, i])
  })
  const weight = (i: number) => options.weights?.[i] ?? 1
  while (heap.size > 0) {
    const priority = heap.peekPriority()!
    const [cell, group] = heap.pop()!
    if (label.get(cell) !== -1) {
      continue
    }
    label.set(cell, group)
    const here = mesh.cells[cell]!
    for (const next of here.neighbors) {
      if (label.get(next) !== -1) {
        continue
      }
      const there = mesh.cells[next]!.center
      const middle: Vec = [(here.center[0] + there[0]) / 2, (here.center[1] + there[1]) / 2]
      const cost = distance(here.center, there) * (0.45 + valueNoise(middle, options.noiseKm, options.salt))
      heap.push(priority + cost / weight(group), [next, group])
    }
  }
  const groups: number[][] = seeds.map(() => [])
  for (const [cell, group] of label) {
    groups[group]?.push(cell)
  }
  return groups
}

function nearest(points: readonly Vec[], p: Vec): number {
  let best = 0
  let bestDistance = Infinity
  points.forEach((q, i) => {
    const d = (q[0] - p[0]) ** 2 + (q[1] - p[1]) ** 2
    if (d < bestDistance) {
      best = i
      bestDistance = d
    }
  })
  return best
}

function farthestFrom(points: readonly Vec[], seeds: readonly Vec[]): Vec {
  let best = points[0]!
  let bestDistance = -1
  for (const p of points) {
    const d = Math.min(...seeds.map((s) => distance(s, p)))
    if (d > bestDistance) {
      best = p
      bestDistance = d
    }
  }
  return best
}

/** Smooth 2-D value noise in [0, 1]. */
function valueNoise([x, y]: Vec, scaleKm: number, salt: number): number {
  const gx = x / scaleKm
  const gy = y / scaleKm
  const ix = Math.floor(gx)
  const iy = Math.floor(gy)
  const ease = (t: number) => t * t * (3 - 2 * t)
  const fx = ease(gx - ix)
  const fy = ease(gy - iy)
  const at = (dx: number, dy: number) => unitOf(salt, hashInts(ix + dx + 100000, iy + dy + 100000))
  const top = at(0, 0) + (at(1, 0) - at(0, 0)) * fx
  const bottom = at(0, 1) + (at(1, 1) - at(0, 1)) * fx
  return top + (bottom - top) * fy
}

/** Majority filter: a cell mostly surrounded by another group joins it, which removes one-cell necks and spurs. */
export function settleGroups(mesh: HexMesh, groups: readonly number[][], passes = 3): number[][] {
  const label = new Map<number, number>()
  groups.forEach((group, g) => group.forEach((c) => label.set(c, g)))
  for (let pass = 0; pass < passes; pass++) {
    for (const [cell, own] of label) {
      const counts = new Map<number, number>()
      for (const n of mesh.cells[cell]!.neighbors) {
        const other = label.get(n)
        if (other !== undefined && other !== own) {
          counts.set(other, (counts.get(other) ?? 0) + 1)
        }
      }
      const [winner] = [...counts].find(([, count]) => count >= 4) ?? []
      if (winner !== undefined) {
        label.set(cell, winner)
      }
    }
  }
  const settled: number[][] = groups.map(() => [])
  for (const [cell, g] of label) {
    settled[g]!.push(cell)
  }
  return settled
}
