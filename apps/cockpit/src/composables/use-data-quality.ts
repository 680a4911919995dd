import { onScopeDispose, shallowReadonly, shallowRef, type Ref } from 'vue'
import type { QualityResponse } from '@city/metrics/wire'
import { fetchQuality } from '@/api/http'

/**
 * Today's data-quality counts for the whole city, asked for again every `everyMs` (they are not pushed
 * live; a count a few seconds old is fine here). Null until the first answer; a failed poll keeps the
 * last counts.
 */
export function useDataQuality(everyMs = 15_000): Readonly<Ref<QualityResponse | null>> {
  const quality = shallowRef<QualityResponse | null>(null)
  let controller: AbortController | undefined
  async function refresh(): Promise<void> {
    controller?.abort()
    controller = new AbortController()
    try {
      quality.value = await fetchQuality(controller.signal)
    } catch {
      // The live state shows when the service is away; the next poll tries again.
    }
  }
  void refresh()
  const timer = setInterval(() => void refresh(), everyMs)
  onScopeDispose(() => {
    clearInterval(timer)
    controller?.abort()
  })
  return shallowReadonly(quality)
}
