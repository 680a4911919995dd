import type { DepartmentsResponse, RankingsResponse, RegionNode, SeriesResponse } from '@city/metrics/wire'
import { onScopeDispose, shallowRef, watch, type Ref } from 'vue'
import { fetchJson } from '@/api/http'
import { departmentsUrl, rankingsUrl, seriesUrl, type HistoryQuery } from '@/lib/history'

/**
 * The series, the work orders per department and, for a region with children, the rankings a history
 * query asks for: fetched whenever the query changes, a newer query cancelling the one before.
 * `askedAtMs` is the clock the range was taken at (the export links use the same). A refusal keeps the
 * last answer and says why in `error`.
 */
export function useHistoryData(query: Ref<HistoryQuery>, region: Ref<RegionNode | null>) {
  const series = shallowRef<SeriesResponse | null>(null)
  const rankings = shallowRef<RankingsResponse | null>(null)
  const departments = shallowRef<DepartmentsResponse | null>(null)
  const error = shallowRef<string | null>(null)
  const loading = shallowRef(false)
  const askedAtMs = shallowRef(Date.now())
  let controller: AbortController | undefined

  watch([query, region], async ([q, node]) => {
    if (!node) {
      return
    }
    controller?.abort()
    const mine = (controller = new AbortController())
    askedAtMs.value = Date.now()
    loading.value = true
    error.value = null
    try {
      const [s, r, d] = await Promise.all([
        fetchJson<SeriesResponse>(seriesUrl(q, askedAtMs.value), mine.signal),
        node.children.length > 0 ? fetchJson<RankingsResponse>(rankingsUrl(q, askedAtMs.value), mine.signal) : Promise.resolve(null),
        fetchJson<DepartmentsResponse>(departmentsUrl(q, askedAtMs.value), mine.signal),
      ])
      series.value = s
      rankings.value = r
      departments.value = d
    } catch (err) {
      if (!mine.signal.aborted) {
        error.value = err instanceof Error ? err.message : String(err)
      }
    } finally {
      if (controller === mine) {
        loading.value = false
      }
    }
  }, { immediate: true })
  onScopeDispose(() => controller?.abort())

  return { series, rankings, departments, error, loading, askedAtMs }
}
