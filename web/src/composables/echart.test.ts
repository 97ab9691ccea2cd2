import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createApp, defineComponent, h, nextTick, ref, type App } from 'vue'

const chart = { setOption: vi.fn(), resize: vi.fn(), dispose: vi.fn() }
const init = vi.fn((_el: HTMLElement) => chart)
vi.mock('echarts/core', () => ({ init: (el: HTMLElement) => init(el) }))

import { useEChart } from './echart'

// The ResizeObserver of the chart's element, so that the test can report a resize.
let resized: (() => void) | null = null
let observed: Element[] = []
let disconnected = 0
class FakeResizeObserver {
    constructor(callback: () => void) {
        resized = callback
    }
    observe(el: Element) {
        observed.push(el)
    }
    disconnect() {
        disconnected++
    }
}

describe('useEChart', () => {
    let app: App | null = null
    let host: HTMLElement
    const data = ref([1, 2])

    beforeEach(() => {
        vi.clearAllMocks()
        resized = null
        observed = []
        disconnected = 0
        vi.stubGlobal('ResizeObserver', FakeResizeObserver)
        data.value = [1, 2]
        host = document.createElement('div')
        document.body.append(host)
        const Chart = defineComponent({
            setup() {
                const root = ref<HTMLElement | null>(null)
                useEChart(root, () => ({ series: [{ type: 'bar', data: data.value }] }), () => data.value)
                return () => h('div', { ref: root, 'data-testid': 'chart' })
            },
        })
        app = createApp(Chart)
        app.mount(host)
    })
    afterEach(() => {
        app?.unmount()
        host.remove()
        vi.unstubAllGlobals()
    })

    it('makes the chart in its element when mounted and sets the whole option', () => {
        const el = host.querySelector('[data-testid="chart"]')
        expect(init).toHaveBeenCalledTimes(1)
        expect(init).toHaveBeenCalledWith(el)
        expect(chart.setOption).toHaveBeenCalledWith({ series: [{ type: 'bar', data: [1, 2] }] }, true)
        expect(observed).toEqual([el])
    })

    it('sets the option again, not merged, when the source changes, even deep inside', async () => {
        data.value.push(3)
        await nextTick()
        expect(chart.setOption).toHaveBeenCalledTimes(2)
        expect(chart.setOption).toHaveBeenLastCalledWith({ series: [{ type: 'bar', data: [1, 2, 3] }] }, true)
    })

    it('resizes with its element', () => {
        expect(chart.resize).not.toHaveBeenCalled()
        resized?.()
        expect(chart.resize).toHaveBeenCalledTimes(1)
    })

    it('lets go of the chart and the observer when unmounted, and draws nothing after', async () => {
        app?.unmount()
        app = null
        expect(chart.dispose).toHaveBeenCalledTimes(1)
        expect(disconnected).toBe(1)
        data.value = [9]
        await nextTick()
        resized?.()
        expect(chart.setOption).toHaveBeenCalledTimes(1)
        expect(chart.resize).not.toHaveBeenCalled()
    })
})
