/** Planar helpers for the generator: the city is built in kilometres east/north of ORIGIN, then projected. */
export type Vec = readonly [number, number]

const ORIGIN = { lon: 120.2, lat: 30.3 }

const KM_PER_DEG_LAT = 110.574
const KM_PER_DEG_LON = 111.32 * Math.cos((ORIGIN.lat * Math.PI) / 180)

/** WGS84 lon/lat rounded to 6 decimals (~0.1 m), so shared vertices stay bit-identical. */
export function toLonLat([x, y]: Vec): [number, number] {
  return [round6(ORIGIN.lon + x / KM_PER_DEG_LON), round6(ORIGIN.lat + y / KM_PER_DEG_LAT)]
}

export function toKm([lon, lat]: Vec): Vec {
  return [(lon - ORIGIN.lon) * KM_PER_DEG_LON, (lat - ORIGIN.lat) * KM_PER_DEG_LAT]
}

function round6(value: number): number {
  return Math.round(value * 1e6) / 1e6
}

export function distance(a: Vec, b: Vec): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1])
}

/** Signed shoelace area; positive for counter-clockwise rings (closed or open). */
export function signedArea(ring: readonly Vec[]): number {
  let sum = 0
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    sum += ring[j]![0] * ring[i]![1] - ring[i]![0] * ring[j]![1]
  }
  return sum / 2
}

/** Distance from p to the segment ab. */
export function distanceToSegment(p: Vec, a: Vec, b: Vec): number {
  const dx = b[0] - a[0]
  const dy = b[1] - a[1]
  const lengthSq = dx * dx + dy * dy
  const t = lengthSq === 0 ? 0 : Math.max(0, Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / lengthSq))
  return Math.hypot(p[0] - a[0] - t * dx, p[1] - a[1] - t * dy)
}

function orientation(a: Vec, b: Vec, c: Vec): number {
  return Math.sign((b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]))
}

/** True when segments ab and cd cross at a point that is not a shared endpoint. */
export function segmentsCross(a: Vec, b: Vec, c: Vec, d: Vec): boolean {
  const shared = [a, b].some((p) => [c, d].some((q) => p[0] === q[0] && p[1] === q[1]))
  if (shared) {
    return false
  }
  return orientation(a, b, c) !== orientation(a, b, d) && orientation(c, d, a) !== orientation(c, d, b)
}
