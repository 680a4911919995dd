import { onMounted, onScopeDispose, shallowRef, toValue, watch, type MaybeRefOrGetter, type Ref } from 'vue'
import type { CockpitChartOption } from '@/charts/theme'
import { init, type ECharts } from '@/components/chart/echarts'

export interface UseEChartOptions {
  /** When this changes the chart is rebuilt instead of merged (e.g. another map or indicator). */
  resetKey?: MaybeRefOrGetter<string | undefined>
  /** Called with the name of the clicked data item (a region id on the map). */
  onItemClick?: (name: string) => void
}

/** Mounts an ECharts instance on `el`, keeps it sized to its box and disposes it with the scope. */
export function useEChart(
  el: Readonly<Ref<HTMLElement | null>>,
  option: MaybeRefOrGetter<CockpitChartOption>,
  options: UseEChartOptions = {},
) {
  const chart = shallowRef<ECharts | null>(null)
  let observer: ResizeObserver | undefined

  function create(target: HTMLElement): ECharts {
    const instance = init(target, undefined, { renderer: 'canvas' })
    instance.setOption(toValue(option))
    instance.on('click', (params) => {
      if (typeof params.name === 'string' && params.name) {
        options.onItemClick?.(params.name)
      }
    })
    return instance
  }

  // ECharts cannot lay out a map in a 0×0 box (its view transform is singular), so the chart is created,
  // and later resized, only while the container has a size.
  function fit(target: HTMLElement) {
    if (target.clientWidth === 0 || target.clientHeight === 0) {
      return
    }
    if (!chart.value) {
      chart.value = create(target)
      return
    }
    chart.value.resize()
  }

  onMounted(() => {
    const target = el.value
    if (!target) {
      return
    }
    observer = new ResizeObserver(() => fit(target))
    observer.observe(target)
    fit(target)
  })

  const stop = watch(() => [toValue(option), toValue(options.resetKey)] as const, ([next, key], [, previousKey]) => {
    chart.value?.setOption(next, { notMerge: key !== previousKey, lazyUpdate: true })
  })

  onScopeDispose(() => {
    stop()
    observer?.disconnect()
    chart.value?.dispose()
    chart.value = null
  })

  return { chart }
}
