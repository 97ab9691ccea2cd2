import { onBeforeUnmount, onMounted } from 'vue'

// Runs `load` now and every `intervalMs` while the page is open and visible (a hidden tab does
// not poll; it catches up as soon as it is shown). A slow answer is never overlapped: the next
// round starts `intervalMs` after the last one ended.
export function usePolling(load: (signal: AbortSignal) => Promise<void>, intervalMs: number) {
    let timer: ReturnType<typeof setTimeout> | null = null
    let controller: AbortController | null = null
    let active = false

    async function tick(): Promise<void> {
        if (timer) clearTimeout(timer)
        timer = null
        if (!active) return
        controller?.abort()
        const current = new AbortController()
        controller = current
        try {
            await load(current.signal)
        } finally {
            if (active && controller === current && document.visibilityState !== 'hidden') {
                timer = setTimeout(() => void tick(), intervalMs)
            }
        }
    }

    function onVisibility(): void {
        if (document.visibilityState === 'visible' && timer === null) void tick()
    }

    onMounted(() => {
        active = true
        document.addEventListener('visibilitychange', onVisibility)
        void tick()
    })
    onBeforeUnmount(() => {
        active = false
        document.removeEventListener('visibilitychange', onVisibility)
        if (timer) clearTimeout(timer)
        controller?.abort()
    })

    // Loads again now (after the user changed what is shown).
    return { refresh: () => void tick() }
}
