import type { Random } from '../random.js'
import type { Vec } from './geo.js'

/** A jittered hexagonal mesh: every vertex is shared by at most three cells, so traced borders never pinch. */
export interface HexMesh {
  vertices: Vec[]
  cells: HexCell[]
}

export interface HexCell {
  center: Vec
  /** Vertex ids, counter-clockwise. */
  corners: number[]
  /** Neighbour across the edge corners[i] → corners[i + 1], or -1 outside the mesh. */
  neighbors: number[]
}

export interface HexMeshOptions {
  /** Centre-to-corner size of a cell. */
  sizeKm: number
  /** Half-width of the square scanned for cells. */
  extentKm: number
  isInside: (p: Vec) => boolean
  /** Vertex jitter as a fraction of sizeKm. */
  jitter: number
  random: Random
}

const SQRT3 = Math.sqrt(3)
// Axial steps across edges 0..5 of a pointy-top hexagon (edge i faces 60·i degrees).
const STEPS: readonly Vec[] = [[1, 0], [0, 1], [-1, 1], [-1, 0], [0, -1], [1, -1]]
// Corners at -30°, 30°, 90° … on the lattice.
const CORNERS: readonly Vec[] = [[1, -1], [1, 1], [0, 2], [-1, 1], [-1, -1], [0, -2]]

export function createHexMesh(options: HexMeshOptions): HexMesh {
  const { sizeKm: s } = options
  const index = new Map<string, number>()
  const axial: Vec[] = []
  const centers: Vec[] = []
  const span = Math.ceil(options.extentKm / (1.5 * s)) + 1
  for (let r = -span; r <= span; r++) {
    for (let q = -span - Math.ceil(r / 2); q <= span - Math.floor(r / 2); q++) {
      const center: Vec = [s * SQRT3 * (q + r / 2), s * 1.5 * r]
      if (options.isInside(center)) {
        index.set(`${q},${r}`, axial.length)
        axial.push([q, r])
        centers.push(center)
      }
    }
  }
  const vertices: Vec[] = []
  const vertexIds = new Map<string, number>()
  // Corners live on an integer lattice (units of s·√3/2 across, s/2 up), so shared corners get one id.
  const vertexAt = (u: number, w: number) => {
    const key = `${u},${w}`
    let id = vertexIds.get(key)
    if (id === undefined) {
      id = vertices.length
      vertexIds.set(key, id)
      vertices.push([(u * s * SQRT3) / 2, (w * s) / 2])
    }
    return id
  }
  const cells = axial.map(([q, r], c): HexCell => {
    const corners = CORNERS.map(([du, dw]) => vertexAt(2 * q + r + du, 3 * r + dw))
    const neighbors = STEPS.map(([dq, dr]) => index.get(`${q + dq},${r + dr}`) ?? -1)
    return { center: centers[c]!, corners, neighbors }
  })
  const jittered = vertices.map((v) => jitter(v, options.jitter * s, options.random))
  return { vertices: jittered, cells: cells.map((cell) => ({ ...cell, center: centroid(cell.corners.map((v) => jittered[v]!)) })) }
}

function jitter([x, y]: Vec, radius: number, random: Random): Vec {
  const angle = random.next() * 2 * Math.PI
  const distance = radius * Math.sqrt(random.next())
  return [x + distance * Math.cos(angle), y + distance * Math.sin(angle)]
}

function centroid(points: readonly Vec[]): Vec {
  const sum = points.reduce<[number, number]>((acc, p) => [acc[0] + p[0], acc[1] + p[1]], [0, 0])
  return [sum[0] / points.length, sum[1] / points.length]
}
