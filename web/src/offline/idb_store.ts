import type { QueueItem, QueueStore } from './item'

// The queue in IndexedDB: one object store keyed by the idempotency key. IndexedDB survives
// closing the tab and restarting the browser; each put is one transaction, resolved only once
// it has committed, so an item the page shows as queued is on disk.
export const kDatabaseName = 'bulwark-sampling'
export const kStoreName = 'queue'
const kVersion = 1

function promised<T>(request: IDBRequest<T>): Promise<T> {
    return new Promise((resolve, reject) => {
        request.onsuccess = () => resolve(request.result)
        request.onerror = () => reject(request.error)
    })
}

function committed(tx: IDBTransaction): Promise<void> {
    return new Promise((resolve, reject) => {
        tx.oncomplete = () => resolve()
        tx.onerror = () => reject(tx.error)
        tx.onabort = () => reject(tx.error ?? new DOMException('transaction aborted', 'AbortError'))
    })
}

export function openQueueDatabase(factory: IDBFactory = indexedDB): Promise<IDBDatabase> {
    return new Promise((resolve, reject) => {
        const request = factory.open(kDatabaseName, kVersion)
        request.onupgradeneeded = () => {
            const db = request.result
            if (!db.objectStoreNames.contains(kStoreName)) db.createObjectStore(kStoreName, { keyPath: 'key' })
        }
        request.onsuccess = () => {
            const db = request.result
            // Another tab upgrading the schema: let it, this one reopens on next load.
            db.onversionchange = () => db.close()
            resolve(db)
        }
        request.onerror = () => reject(request.error)
        request.onblocked = () => reject(new Error('IndexedDB blocked by another tab'))
    })
}

export class IdbStore implements QueueStore {
    readonly durable = true

    private constructor(private readonly db: IDBDatabase) {}

    static async open(factory: IDBFactory = indexedDB): Promise<IdbStore> {
        return new IdbStore(await openQueueDatabase(factory))
    }

    async all(): Promise<QueueItem[]> {
        const tx = this.db.transaction(kStoreName, 'readonly')
        return promised(tx.objectStore(kStoreName).getAll() as IDBRequest<QueueItem[]>)
    }

    async put(items: QueueItem[]): Promise<void> {
        if (items.length === 0) return
        const tx = this.db.transaction(kStoreName, 'readwrite', { durability: 'strict' })
        const store = tx.objectStore(kStoreName)
        for (const item of items) store.put(item)
        await committed(tx)
    }

    async delete(keys: string[]): Promise<void> {
        if (keys.length === 0) return
        const tx = this.db.transaction(kStoreName, 'readwrite')
        const store = tx.objectStore(kStoreName)
        for (const key of keys) store.delete(key)
        await committed(tx)
    }

    close(): void {
        this.db.close()
    }
}

// How many writes wait in this browser's queue, without loading the rest of the sampling code
// (the logout warning asks this). 0 when there is no queue.
export async function countUnsent(factory: IDBFactory | undefined = globalThis.indexedDB): Promise<number> {
    if (!factory) return 0
    // Not creating the database for someone who never scanned.
    if (typeof factory.databases === 'function') {
        try {
            const names = (await factory.databases()).map((info) => info.name)
            if (!names.includes(kDatabaseName)) return 0
        } catch {
            // Unknown: open it and see.
        }
    }
    let db: IDBDatabase
    try {
        db = await openQueueDatabase(factory)
    } catch {
        return 0
    }
    try {
        const items = await promised(db.transaction(kStoreName, 'readonly').objectStore(kStoreName).getAll())
        return (items as QueueItem[]).filter((item) => item.state === 'pending').length
    } finally {
        db.close()
    }
}
