import { describe, expect, it } from 'vitest'

import type { BatchItem } from '@/api/sampling'

import { MemoryStore } from './item'
import { SamplingQueue } from './queue'

const station = { round_id: 1, site_id: 2, table_id: 3 }
const open = (key: string, barcode: string): BatchItem => ({ kind: 'open_tube', key, ...station, barcode, pool_size: 5 })
const scan = (key: string, code: string, tube = 'T1'): BatchItem => ({ kind: 'scan', key, tube_barcode: tube, code, scanned_at: 1 })

function clock(start = 1_700_000_000_000) {
    let now = start
    return { now: () => now, advance: (ms: number) => (now += ms) }
}

describe('SamplingQueue', () => {
    it('keeps writes in the store, in creation order, and reloads them', async () => {
        const store = new MemoryStore()
        const time = clock()
        const queue = new SamplingQueue(store, time.now)
        await queue.add(open('key-open-0000000001', 'T1'), station)
        await queue.add(scan('key-scan-0000000001', 'aaaa'), station)
        await queue.add(scan('key-scan-0000000002', 'bbbb'), station)
        expect(queue.pending().map((i) => i.key)).toEqual(['key-open-0000000001', 'key-scan-0000000001', 'key-scan-0000000002'])

        const again = new SamplingQueue(store, time.now)
        await again.load()
        expect(again.pending().map((i) => i.kind)).toEqual(['open_tube', 'scan', 'scan'])
        expect(again.pending()[1].tube_barcode).toBe('T1')
        await again.add(scan('key-scan-0000000003', 'cccc'), station)
        expect(again.list().at(-1)?.key).toBe('key-scan-0000000003')
    })

    it('refuses a key twice', async () => {
        const queue = new SamplingQueue(new MemoryStore())
        await queue.add(scan('key-scan-0000000001', 'aaaa'), station)
        await expect(queue.add(scan('key-scan-0000000001', 'bbbb'), station)).rejects.toThrow()
    })

    it('records verdicts: accepted with warnings and the tube, rejected with the reason, retry counts', async () => {
        const store = new MemoryStore()
        const queue = new SamplingQueue(store)
        await queue.add(scan('key-scan-0000000001', 'aaaa'), station)
        await queue.add(scan('key-scan-0000000002', 'bbbb'), station)
        await queue.add(scan('key-scan-0000000003', 'cccc'), station)
        const verdicts = await queue.settle([
            {
                key: 'key-scan-0000000001',
                status: 201,
                body: {
                    resident: { id: 9, name_masked: '张*' },
                    tube: { id: 4, count: 1, status: 'open' },
                    warnings: [{ code: 'moved_out', message: '已迁出' }],
                },
            },
            {
                key: 'key-scan-0000000002',
                status: 422,
                body: { error: { code: 'already_sampled', message: '已于 09:12 在 一号采样点 2 号台采样' } },
            },
            { key: 'key-scan-0000000003', status: 503, body: null },
        ])
        expect([...verdicts.values()].map((v) => v.kind)).toEqual(['accepted', 'rejected', 'retry'])
        const [a, b, c] = queue.list()
        expect(a).toMatchObject({ state: 'accepted', warnings: ['moved_out'], tube_count: 1, tube_status: 'open', tube_id: 4 })
        expect(b).toMatchObject({ state: 'rejected', code: 'already_sampled', message: '已于 09:12 在 一号采样点 2 号台采样' })
        expect(c).toMatchObject({ state: 'pending', attempts: 1 })
        expect(queue.answerFor(a.key)).toEqual({ name_masked: '张*', warnings: [{ code: 'moved_out', message: '已迁出' }] })

        // The name stays in memory: the store has none of it.
        const stored = JSON.stringify(await store.all())
        expect(stored).not.toContain('张')
        expect(stored).not.toContain('已迁出')
    })

    it('takes a 401 as no verdict, and a closed tube as closed', async () => {
        const queue = new SamplingQueue(new MemoryStore())
        await queue.add(scan('key-scan-0000000001', 'aaaa'), station)
        await queue.add({ kind: 'close_tube', key: 'key-close-000000001', tube_barcode: 'T1' }, station)
        const verdicts = await queue.settle([
            { key: 'key-scan-0000000001', status: 401, body: null },
            { key: 'key-close-000000001', status: 422, body: { error: { code: 'tube_closed', message: '' } } },
        ])
        expect(verdicts.get('key-scan-0000000001')?.kind).toBe('auth')
        expect(queue.get('key-scan-0000000001')?.state).toBe('pending')
        expect(queue.get('key-close-000000001')).toMatchObject({ state: 'accepted', tube_status: 'closed' })
    })

    it('forgets old finished items but never pending ones', async () => {
        const time = clock()
        const queue = new SamplingQueue(new MemoryStore(), time.now)
        await queue.add(scan('key-scan-0000000001', 'aaaa'), station)
        await queue.add(scan('key-scan-0000000002', 'bbbb'), station)
        await queue.settle([{ key: 'key-scan-0000000001', status: 201, body: {} }])
        time.advance(13 * 60 * 60 * 1000)
        expect(await queue.prune()).toBe(1)
        expect(queue.list().map((i) => i.key)).toEqual(['key-scan-0000000002'])
    })

    it('keeps at most keepMax finished items', async () => {
        const queue = new SamplingQueue(new MemoryStore())
        for (let i = 0; i < 5; i++) await queue.add(scan(`key-scan-000000000${i}`, `c${i}`), station)
        await queue.settle(queue.list().map((item) => ({ key: item.key, status: 201, body: {} })))
        expect(await queue.prune(60_000, 2)).toBe(3)
        expect(queue.list().map((i) => i.key)).toEqual(['key-scan-0000000003', 'key-scan-0000000004'])
    })

    it('tells subscribers of every change', async () => {
        const queue = new SamplingQueue(new MemoryStore())
        let calls = 0
        const stop = queue.subscribe(() => calls++)
        await queue.add(scan('key-scan-0000000001', 'aaaa'), station)
        await queue.settle([{ key: 'key-scan-0000000001', status: 201, body: {} }])
        stop()
        await queue.add(scan('key-scan-0000000002', 'bbbb'), station)
        expect(calls).toBe(2)
    })
})
