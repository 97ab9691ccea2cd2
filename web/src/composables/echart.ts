import { init, type ECharts, type EChartsCoreOption } from 'echarts/core'
import { onBeforeUnmount, onMounted, watch, type Ref, type WatchSource } from 'vue'

// One ECharts instance in `root` for the life of the calling component: made when it mounts,
// resized with its element, disposed when it unmounts, and given `option()` anew (replacing the
// last, not merged) whenever `source` changes. The caller registers the chart types and
// components its options use (`use` from echarts/core), so each page's chunk carries only those.
export function useEChart(root: Ref<HTMLElement | null>, option: () => EChartsCoreOption, source: WatchSource): void {
    let chart: ECharts | null = null
    let observer: ResizeObserver | null = null
    const render = () => chart?.setOption(option(), true)
    onMounted(() => {
        if (!root.value) return
        chart = init(root.value)
        render()
        observer = new ResizeObserver(() => chart?.resize())
        observer.observe(root.value)
    })
    onBeforeUnmount(() => {
        observer?.disconnect()
        chart?.dispose()
        chart = null
    })
    watch(source, render, { deep: true })
}
