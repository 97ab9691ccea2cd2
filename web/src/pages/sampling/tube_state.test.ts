import { describe, expect, it } from 'vitest'

import type { QueueItem } from '@/offline/item'

import type { SavedTube } from './station'
import { describeTube, needsClose } from './tube_state'

const station = { round_id: 1, site_id: 2, table_id: 3 }
const tube: SavedTube = { barcode: 'T1', pool_size: 3, station, open_key: 'open-1', server_count: 0, closed: false }
let seq = 0

function item(kind: QueueItem['kind'], state: QueueItem['state'], extra: Partial<QueueItem> = {}): QueueItem {
    const key = extra.key ?? `k${++seq}`
    const request =
        kind === 'open_tube'
            ? { kind, key, ...station, barcode: 'T1' }
            : kind === 'scan'
              ? { kind, key, tube_barcode: 'T1', code: 'x' }
              : { kind, key, tube_barcode: 'T1' }
    return { key, seq: ++seq, kind, request, station, tube_barcode: 'T1', state, created_at: 0, attempts: 0, ...extra } as QueueItem
}

describe('describeTube', () => {
    it('counts accepted and pending scans, not rejected ones', () => {
        const items = [
            item('open_tube', 'accepted', { key: 'open-1' }),
            item('scan', 'accepted', { tube_count: 1, tube_status: 'open' }),
            item('scan', 'rejected', { code: 'already_sampled' }),
            item('scan', 'pending'),
        ]
        expect(describeTube(tube, items)).toMatchObject({ count: 2, pending: 1, phase: 'open' })
    })

    it('is full once the pool size is queued, closed once the server says so', () => {
        const queued = [item('scan', 'pending'), item('scan', 'pending'), item('scan', 'pending')]
        expect(describeTube(tube, queued).phase).toBe('full')
        expect(needsClose(tube, queued)).toBe(true)
        const answered = [
            item('scan', 'accepted', { tube_count: 1 }),
            item('scan', 'accepted', { tube_count: 2 }),
            item('scan', 'accepted', { tube_count: 3, tube_status: 'closed' }),
        ]
        expect(describeTube(tube, answered)).toMatchObject({ count: 3, phase: 'closed' })
        expect(needsClose(tube, answered)).toBe(false)
    })

    it('opens again when a rejection leaves room', () => {
        const items = [
            item('scan', 'accepted', { tube_count: 1 }),
            item('scan', 'accepted', { tube_count: 2 }),
            item('scan', 'rejected', { code: 'already_sampled' }),
        ]
        expect(describeTube(tube, items)).toMatchObject({ count: 2, phase: 'open' })
    })

    it('resumes from the count the server gave', () => {
        expect(describeTube({ ...tube, server_count: 2 }, [item('scan', 'pending')])).toMatchObject({ count: 3, phase: 'full' })
    })

    it('is closed by hand with a queued close', () => {
        const items = [item('scan', 'pending'), item('close_tube', 'pending')]
        expect(describeTube(tube, items).phase).toBe('closed')
        expect(needsClose(tube, items)).toBe(false)
    })

    it('is refused with the reason when its barcode was used', () => {
        const items = [item('open_tube', 'rejected', { key: 'open-1', code: 'tube_barcode_used', message: '条码已使用' })]
        expect(describeTube(tube, items)).toMatchObject({ phase: 'refused', refusal: { code: 'tube_barcode_used' } })
        expect(needsClose(tube, items)).toBe(false)
    })
})
