import { onBeforeUnmount, onMounted, ref, shallowRef } from 'vue'

import type { BatchItem } from '@/api/sampling'
import { offlineQueue, type OfflineQueue } from '@/offline'
import type { QueueItem, Station } from '@/offline/item'
import type { ShownAnswer } from '@/offline/queue'
import type { SyncState } from '@/offline/sync'

// The offline queue for a page: its items and the sender's state as Vue refs, updated on every
// change, and add() which stores a write and starts sending it.
export function useQueue() {
    const items = shallowRef<QueueItem[]>([])
    const sync = shallowRef<SyncState>({ sending: false, failures: 0, retryAt: null, lastFailure: null, authLost: false })
    const ready = ref(false)
    const durable = ref(true)
    const failure = ref<unknown>(null)
    // Bumped on each change, for views that depend on answers kept in memory.
    const revision = ref(0)
    let handle: OfflineQueue | null = null
    const stops: (() => void)[] = []

    onMounted(async () => {
        try {
            handle = await offlineQueue()
        } catch (error) {
            failure.value = error
            return
        }
        const { queue, engine } = handle
        const refresh = () => {
            items.value = queue.list()
            revision.value += 1
        }
        stops.push(queue.subscribe(refresh))
        stops.push(engine.subscribe(() => (sync.value = engine.state)))
        refresh()
        sync.value = engine.state
        durable.value = queue.durable
        ready.value = true
        // Back on the page after signing in again: whatever waited may go now.
        if (engine.state.authLost) void engine.resume()
        else void engine.kick()
    })
    onBeforeUnmount(() => stops.splice(0).forEach((stop) => stop()))

    async function add(request: BatchItem, station: Station): Promise<QueueItem> {
        if (!handle) throw new Error('the queue is not open yet')
        const item = await handle.queue.add(request, station)
        void handle.engine.kick()
        return item
    }

    function answerFor(key: string): ShownAnswer | undefined {
        return handle?.queue.answerFor(key)
    }

    function sendNow(): void {
        if (!handle) return
        if (handle.engine.state.authLost) void handle.engine.resume()
        else void handle.engine.kick(true)
    }

    return { items, sync, ready, durable, failure, revision, add, answerFor, sendNow }
}
