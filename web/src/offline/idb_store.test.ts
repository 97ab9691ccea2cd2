import { IDBFactory } from 'fake-indexeddb'
import { describe, expect, it } from 'vitest'

import { countUnsent, IdbStore } from './idb_store'
import type { QueueItem } from './item'
import { SamplingQueue } from './queue'

const station = { round_id: 1, site_id: 2, table_id: 3 }

function item(key: string, state: QueueItem['state'] = 'pending'): QueueItem {
    return {
        key,
        seq: 1,
        kind: 'scan',
        request: { kind: 'scan', key, tube_barcode: 'T1', code: 'abcdefghijklmnopqrstuvwxyz' },
        station,
        tube_barcode: 'T1',
        state,
        created_at: 1,
        attempts: 0,
    }
}

describe('IdbStore', () => {
    it('keeps items across connections (a reload) and replaces by key', async () => {
        const factory = new IDBFactory()
        const first = await IdbStore.open(factory)
        await first.put([item('key-000000000001'), item('key-000000000002')])
        await first.put([item('key-000000000002', 'accepted')])
        first.close()

        const second = await IdbStore.open(factory)
        const items = (await second.all()).sort((a, b) => a.key.localeCompare(b.key))
        expect(items.map((i) => [i.key, i.state])).toEqual([
            ['key-000000000001', 'pending'],
            ['key-000000000002', 'accepted'],
        ])
        await second.delete(['key-000000000001'])
        expect((await second.all()).map((i) => i.key)).toEqual(['key-000000000002'])
        second.close()
    })

    it('counts unsent writes for the logout warning, and creates no database to do so', async () => {
        const factory = new IDBFactory()
        expect(await countUnsent(factory)).toBe(0)
        expect((await factory.databases()).length).toBe(0)
        const queue = new SamplingQueue(await IdbStore.open(factory))
        await queue.add({ kind: 'scan', key: 'key-000000000001', tube_barcode: 'T1', code: 'aaaa' }, station)
        await queue.add({ kind: 'scan', key: 'key-000000000002', tube_barcode: 'T1', code: 'bbbb' }, station)
        await queue.settle([{ key: 'key-000000000001', status: 201, body: {} }])
        expect(await countUnsent(factory)).toBe(1)
    })
})
