import { getMe } from '@/api/auth'

import { IdbStore } from './idb_store'
import { MemoryStore, type QueueStore } from './item'
import { SamplingQueue } from './queue'
import { SyncEngine } from './sync'
import { fetchTransport } from './transport'

export type { ItemState, QueueItem, Station } from './item'
export { SamplingQueue } from './queue'
export { SyncEngine, type SyncState } from './sync'
export { newKey } from './keys'

// Once a scan can no longer be sent, a check of the session makes the app's usual 401 handling
// take the user to the login page (api/client.ts tells the session store); the queue waits.
function askForSignIn(): void {
    getMe().catch(() => undefined)
}

async function openStore(): Promise<QueueStore> {
    try {
        return await IdbStore.open()
    } catch (error) {
        // Private windows of some browsers have no IndexedDB: scans still work, but are lost
        // with the tab (the page says so).
        console.error('sampling queue: IndexedDB unavailable, keeping scans in memory', error)
        return new MemoryStore()
    }
}

export interface OfflineQueue {
    queue: SamplingQueue
    engine: SyncEngine
}

let opened: Promise<OfflineQueue> | null = null

// The tab's one queue and sender, opened at first use: it loads what earlier tabs left, forgets
// old finished items, and starts sending whatever is pending. It then sends when the browser
// comes back online or the page becomes visible again, and every half minute while anything
// waits (a safety net for missed events).
export function offlineQueue(): Promise<OfflineQueue> {
    opened ??= (async () => {
        const queue = new SamplingQueue(await openStore())
        await queue.load()
        await queue.prune()
        const engine = new SyncEngine(queue, fetchTransport(), {
            online: () => navigator.onLine !== false,
            onAuthLost: askForSignIn,
        })
        window.addEventListener('online', () => void engine.kick(true))
        document.addEventListener('visibilitychange', () => {
            if (document.visibilityState === 'visible') void engine.kick()
        })
        setInterval(() => {
            if (queue.pending().length > 0) void engine.kick()
        }, 30_000)
        void engine.kick()
        return { queue, engine }
    })()
    return opened
}
