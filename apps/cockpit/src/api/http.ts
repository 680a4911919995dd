import type { QualityResponse, RegionNode } from '@city/metrics/wire'

/** GeoJSON as GET /api/v1/regions/:id/geo returns it: the region's children, or the leaf itself. */
export interface RegionGeo {
  type: 'FeatureCollection'
  features: {
    type: 'Feature'
    properties: { id: string, name: string, name_en: string, level: string }
    geometry: unknown
  }[]
}

export class HttpError extends Error {
  override name = 'HttpError'
  constructor(readonly status: number, message: string) {
    super(message)
  }
}

const API = '/api/v1'

function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  return fetchJson<T>(`${API}${path}`, signal)
}

/** GET a JSON resource; a refusal throws with the API's own message (it names the field) where it gives one. */
export async function fetchJson<T>(url: string, signal?: AbortSignal): Promise<T> {
  const response = await fetch(url, { headers: { accept: 'application/json' }, signal: signal ?? null })
  if (!response.ok) {
    const body = (await response.json().catch(() => null)) as { message?: unknown } | null
    throw new HttpError(response.status, typeof body?.message === 'string' ? body.message : `GET ${url}: HTTP ${response.status}`)
  }
  return (await response.json()) as T
}

export function fetchRegionTree(signal?: AbortSignal): Promise<RegionNode> {
  return getJson<RegionNode>('/regions', signal)
}

export function fetchRegionGeo(regionId: string, signal?: AbortSignal): Promise<RegionGeo> {
  return getJson<RegionGeo>(`/regions/${encodeURIComponent(regionId)}/geo`, signal)
}

/** Today's data-quality counts for the whole city: accepted, duplicates, dead letters by source and reason. */
export function fetchQuality(signal?: AbortSignal): Promise<QualityResponse> {
  return getJson<QualityResponse>('/quality', signal)
}
