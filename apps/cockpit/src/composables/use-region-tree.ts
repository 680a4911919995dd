import type { RegionNode } from '@city/metrics/wire'
import { computed, ref, shallowRef } from 'vue'
import { fetchRegionTree } from '@/api/http'
import { indexRegions } from '@/lib/region-path'

type LoadStatus = 'idle' | 'loading' | 'ready' | 'error'

const tree = shallowRef<RegionNode | null>(null)
const status = ref<LoadStatus>('idle')
const error = ref<string | null>(null)
const index = computed(() => (tree.value ? indexRegions(tree.value) : new Map<string, RegionNode>()))
let retryMs = 2_000

async function load() {
  status.value = 'loading'
  try {
    tree.value = await fetchRegionTree()
    status.value = 'ready'
    error.value = null
  } catch (err) {
    status.value = 'error'
    error.value = err instanceof Error ? err.message : String(err)
    // The wall screen must come back by itself once the API is reachable again.
    setTimeout(() => void load(), retryMs)
    retryMs = Math.min(retryMs * 2, 30_000)
  }
}

/** The region hierarchy, loaded once and shared by every page; retries with backoff until it loads. */
export function useRegionTree() {
  if (status.value === 'idle') {
    void load()
  }
  return { tree, index, status, error }
}
