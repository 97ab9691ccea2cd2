import { describe, expect, it } from 'vitest'

import type { BatchItem } from '@/api/sampling'

import { MemoryStore } from './item'
import { SamplingQueue } from './queue'
import { SyncEngine } from './sync'
import { FakeServer, ManualTimers } from './testing'

const station = { round_id: 1, site_id: 2, table_id: 3 }
let counter = 0
const key = () => `key-${String(++counter).padStart(12, '0')}`
const open = (barcode: string, pool = 10): BatchItem => ({ kind: 'open_tube', key: key(), ...station, barcode, pool_size: pool })
const scan = (code: string, tube = 'T1'): BatchItem => ({ kind: 'scan', key: key(), tube_barcode: tube, code })

function setup(options: { batchSize?: number; online?: () => boolean } = {}) {
    const server = new FakeServer()
    const timers = new ManualTimers()
    const store = new MemoryStore()
    const queue = new SamplingQueue(store)
    let authLost = 0
    const engine = new SyncEngine(queue, server, {
        timers,
        now: () => timers.now,
        backoff: { random: () => 0.5 },
        batchSize: options.batchSize,
        online: options.online,
        onAuthLost: () => authLost++,
    })
    return { server, timers, store, queue, engine, authLost: () => authLost }
}

describe('SyncEngine', () => {
    it('sends a lone scan on its own route at once', async () => {
        const { server, queue, engine } = setup()
        await queue.add(open('T1'), station)
        await engine.kick()
        await queue.add(scan('aaaa'), station)
        await engine.kick()
        expect(server.requests.map((r) => r.kind)).toEqual(['single', 'single'])
        expect(queue.list().map((i) => i.state)).toEqual(['accepted', 'accepted'])
        expect(queue.list()[1].tube_count).toBe(1)
    })

    it('queues while offline, then sends everything in batches, each sample once', async () => {
        const { server, queue, engine, timers } = setup({ batchSize: 20 })
        server.mode = 'offline'
        await queue.add(open('T1', 20), station)
        await engine.kick()
        for (let i = 0; i < 49; i++) {
            if (i === 19) await queue.add(open('T2', 20), station)
            if (i === 39) await queue.add(open('T3', 20), station)
            await queue.add(scan(`code-${i}`, i < 19 ? 'T1' : i < 39 ? 'T2' : 'T3'), station)
            await engine.kick()
        }
        expect(queue.pending()).toHaveLength(52)
        expect(engine.state.failures).toBe(1)
        expect(engine.state.lastFailure).toBe(0)
        // Still offline when the first back-off ends: the wait grows.
        await timers.advance(timers.waiting()[0])
        expect(engine.state.failures).toBe(2)
        expect(timers.waiting()[0]).toBe(1500)

        server.mode = 'up'
        const before = server.requests.length
        await engine.kick(true)
        expect(queue.pending()).toHaveLength(0)
        expect(server.samples.size).toBe(49)
        expect(queue.list().every((i) => i.state === 'accepted')).toBe(true)
        expect(server.requests.slice(before).map((r) => r.keys.length)).toEqual([20, 20, 12])
        expect(engine.state).toMatchObject({ failures: 0, retryAt: null, lastFailure: null })
    })

    it('honours Retry-After on 503, and a new scan does not cut the wait short', async () => {
        const { server, queue, engine, timers } = setup()
        server.mode = 'overloaded'
        server.retryAfterMs = 4000
        await queue.add(open('T1'), station)
        await engine.kick()
        expect(timers.waiting()).toEqual([5000]) // 4000 + 0.5 * 2000
        expect(engine.state.lastFailure).toBe(503)
        server.mode = 'up'
        await queue.add(scan('aaaa'), station)
        await engine.kick()
        await engine.kick(true)
        expect(server.requests).toHaveLength(1)
        await timers.advance(4999)
        expect(queue.pending()).toHaveLength(2)
        await timers.advance(1)
        await engine.flush()
        expect(queue.pending()).toHaveLength(0)
        expect(server.samples.size).toBe(1)
    })

    it('tries nothing while the browser says offline', async () => {
        let online = false
        const { server, queue, engine } = setup({ online: () => online })
        await queue.add(open('T1'), station)
        await engine.kick()
        expect(server.requests).toHaveLength(0)
        online = true
        await engine.kick(true)
        expect(queue.pending()).toHaveLength(0)
    })

    it('replays a lost answer with the same key: one sample only', async () => {
        const { server, queue, engine } = setup()
        await queue.add(open('T1'), station)
        await engine.kick()
        const item = await queue.add(scan('aaaa'), station)
        // The server stored the scan, but its answer never reached the phone.
        await server.single(item.request)
        await engine.kick()
        expect(queue.get(item.key)?.state).toBe('accepted')
        expect(server.samples.size).toBe(1)
    })

    it('shows rejections with their reason and goes on with the rest', async () => {
        const { server, queue, engine } = setup()
        server.mode = 'offline'
        await queue.add(open('T1'), station)
        await queue.add(scan('aaaa'), station)
        await queue.add(scan('aaaa'), station)
        await queue.add(scan('bbbb'), station)
        await engine.kick()
        server.mode = 'up'
        await engine.kick(true)
        expect(queue.list().map((i) => [i.state, i.code ?? ''])).toEqual([
            ['accepted', ''],
            ['accepted', ''],
            ['rejected', 'already_sampled'],
            ['accepted', ''],
        ])
    })

    it('sends one at a time when a whole batch is refused', async () => {
        const { server, queue, engine } = setup()
        server.mode = 'offline'
        await queue.add(open('T1'), station)
        await queue.add(scan('aaaa'), station)
        await queue.add(scan('bbbb'), station)
        await engine.kick()
        server.mode = 'refuse-batches'
        await engine.kick(true)
        expect(queue.pending()).toHaveLength(0)
        expect(server.requests.slice(-4).map((r) => r.kind)).toEqual(['batch', 'single', 'single', 'single'])
    })

    it('waits for a new sign-in after a 401', async () => {
        const { queue, engine, authLost } = setup()
        const transport = (engine as unknown as { transport: FakeServer }).transport
        const real = transport.single.bind(transport)
        transport.single = async () => ({ status: 401, retryAfterMs: null, body: null })
        await queue.add(open('T1'), station)
        await engine.kick()
        expect(authLost()).toBe(1)
        expect(engine.state.authLost).toBe(true)
        await engine.kick(true)
        expect(queue.pending()).toHaveLength(1)
        transport.single = real
        await engine.resume()
        expect(queue.pending()).toHaveLength(0)
    })

    it('closes a tube by its barcode through the batch route', async () => {
        const { server, queue, engine } = setup()
        await queue.add(open('T1', 5), station)
        await queue.add(scan('aaaa'), station)
        await engine.kick()
        await queue.add({ kind: 'close_tube', key: key(), tube_barcode: 'T1' }, station)
        await engine.kick()
        expect(server.requests.at(-1)?.kind).toBe('batch')
        expect(queue.list().at(-1)).toMatchObject({ state: 'accepted', tube_status: 'closed' })
    })
})
