import type { QueueItem } from '@/offline/item'

import type { SavedTube } from './station'

// The tube on the table, as the page shows it, from what the phone remembers and the queue:
//   open     take the next person
//   full     as many queued as the pool holds: scan the next tube (the server closes it by
//            itself when the last scan arrives; the phone closes it when it opens the next)
//   closed   closed by hand, or the server said so
//   refused  the server refused to open it (barcode already used): scan another tube
export type TubePhase = 'open' | 'full' | 'closed' | 'refused'

export interface TubeView {
    barcode: string
    pool_size: number
    count: number
    pending: number
    phase: TubePhase
    // The reason the server refused to open it.
    refusal?: { code: string; message: string }
}

// count = what the server last counted (the highest count in an accepted answer, or the count
// read when resuming) + the scans still waiting to be sent. Rejected scans do not count.
export function describeTube(tube: SavedTube, items: readonly QueueItem[]): TubeView {
    let base = tube.server_count
    let pending = 0
    let closed = tube.closed
    let refusal: TubeView['refusal']
    for (const item of items) {
        if (item.tube_barcode !== tube.barcode) continue
        if (item.kind === 'open_tube' && item.key === tube.open_key && item.state === 'rejected') {
            refusal = { code: item.code ?? 'unknown', message: item.message ?? '' }
        }
        if (item.kind === 'close_tube' && item.state !== 'rejected') closed = true
        if (item.kind !== 'scan') continue
        if (item.state === 'pending') pending += 1
        if (item.state === 'accepted') {
            if (item.tube_count !== undefined) base = Math.max(base, item.tube_count)
            if (item.tube_status === 'closed') closed = true
        }
    }
    const count = base + pending
    const phase: TubePhase = refusal ? 'refused' : closed ? 'closed' : count >= tube.pool_size ? 'full' : 'open'
    return { barcode: tube.barcode, pool_size: tube.pool_size, count, pending, phase, refusal }
}

// Whether the phone should queue a close for `tube` before it opens the next one: unless the
// server already said it closed, or a close is already queued.
export function needsClose(tube: SavedTube, items: readonly QueueItem[]): boolean {
    const view = describeTube(tube, items)
    if (view.phase === 'refused') return false
    return !items.some(
        (item) =>
            item.tube_barcode === tube.barcode &&
            ((item.kind === 'close_tube' && item.state !== 'rejected') ||
                (item.kind === 'scan' && item.state === 'accepted' && item.tube_status === 'closed')),
    )
}
