import { onScopeDispose, ref, toValue, watch, type MaybeRefOrGetter } from 'vue'
import { fetchRegionGeo } from '@/api/http'
import { registerMap } from '@/components/chart/echarts'

// Region outlines do not change while the screen runs: register each once, by region id.
const registered = new Map<string, Promise<string>>()

function loadMap(regionId: string): Promise<string> {
  let pending = registered.get(regionId)
  if (!pending) {
    pending = fetchRegionGeo(regionId).then((geo) => {
      const mapName = `region:${regionId}`
      registerMap(mapName, geo as Parameters<typeof registerMap>[1])
      return mapName
    })
    pending.catch(() => registered.delete(regionId))
    registered.set(regionId, pending)
  }
  return pending
}

export interface UseRegionGeoOptions {
  /** Wait before asking again after a failed load. @default 5000 */
  retryMs?: number
}

/** Registers the outlines of a region's children as an ECharts map; `mapName` is null until ready. */
export function useRegionGeo(regionId: MaybeRefOrGetter<string | null>, options: UseRegionGeoOptions = {}) {
  const { retryMs = 5_000 } = options
  const mapName = ref<string | null>(null)
  const error = ref<string | null>(null)
  const attempt = ref(0)
  let retry: ReturnType<typeof setTimeout> | undefined

  const stop = watch([() => toValue(regionId), attempt], async ([id], _previous, onCleanup) => {
    let cancelled = false
    onCleanup(() => {
      cancelled = true
      clearTimeout(retry)
    })
    if (!id) {
      mapName.value = null
      return
    }
    try {
      const name = await loadMap(id)
      if (!cancelled) {
        mapName.value = name
        error.value = null
      }
    } catch (err) {
      if (!cancelled) {
        error.value = err instanceof Error ? err.message : String(err)
        retry = setTimeout(() => attempt.value++, retryMs)
      }
    }
  }, { immediate: true })

  onScopeDispose(() => {
    stop()
    clearTimeout(retry)
  })
  return { mapName, error }
}
