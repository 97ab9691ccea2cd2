import type { BatchItem, BatchKind } from '@/api/sampling'

// One write waiting in (or done by) the phone's queue. It holds what the server needs and
// nothing more: ids, barcodes, the personal code token (opaque, random) or a resident id, the
// key, and the server's verdict. Never a name, an ID number or a phone: names shown on the page
// come from the server's answer and stay in memory (see queue.ts).
export type ItemState = 'pending' | 'accepted' | 'rejected'

// Where the write was made: the round, site and table the phone was set to.
export interface Station {
    round_id: number
    site_id: number
    table_id: number
}

export interface QueueItem {
    key: string
    // Creation order: items are sent in this order, so a tube is opened before its scans.
    seq: number
    kind: BatchKind
    request: BatchItem
    station: Station
    tube_barcode: string
    state: ItemState
    created_at: number
    // Failed sends so far (no answer, 5xx).
    attempts: number
    // The server's verdict, once there is one.
    status?: number
    code?: string // the error code of a rejection (already_sampled, tube_closed, ...)
    message?: string // the server's sentence for a rejection (where and when, no personal data)
    warnings?: string[] // warning codes of an accepted scan (outside_scope, moved_out, ...)
    tube_count?: number // the tube's count and status in the answer
    tube_status?: 'open' | 'closed'
    tube_id?: number
    done_at?: number
}

// Where the queue keeps its items. IndexedDB in the browser (idb_store.ts), memory in tests
// and where IndexedDB is unavailable.
export interface QueueStore {
    // Every item, in no particular order.
    all(): Promise<QueueItem[]>
    // Inserts or replaces items (by key), all or none.
    put(items: QueueItem[]): Promise<void>
    delete(keys: string[]): Promise<void>
    // True when the items survive closing the tab.
    readonly durable: boolean
}

export class MemoryStore implements QueueStore {
    readonly durable = false
    private readonly items = new Map<string, QueueItem>()

    async all(): Promise<QueueItem[]> {
        return [...this.items.values()].map((item) => structuredClone(item))
    }

    async put(items: QueueItem[]): Promise<void> {
        for (const item of items) this.items.set(item.key, structuredClone(item))
    }

    async delete(keys: string[]): Promise<void> {
        for (const key of keys) this.items.delete(key)
    }
}
