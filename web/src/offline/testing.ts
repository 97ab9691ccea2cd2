import type { BatchItem, RawAnswer } from '@/api/sampling'

import type { Timers, Transport } from './sync'

// Test doubles for the queue: a fake sampling server and hand-driven timers.

// A tiny server with the contract's rules: tubes by barcode (a barcode once), scans into open
// tubes (closing at the pool size), one sample per person, answers remembered per key.
export class FakeServer implements Transport {
    mode: 'up' | 'offline' | 'overloaded' | 'refuse-batches' = 'up'
    retryAfterMs = 3000
    requests: { kind: 'single' | 'batch'; keys: string[] }[] = []
    readonly samples = new Map<string, string>() // person -> tube barcode
    private readonly tubes = new Map<string, { pool: number; count: number; status: 'open' | 'closed'; id: number }>()
    private readonly answers = new Map<string, { status: number; body: unknown }>()

    canSendAlone(item: BatchItem): boolean {
        return item.kind !== 'close_tube' || item.tube_id !== undefined
    }

    async single(item: BatchItem): Promise<RawAnswer> {
        this.requests.push({ kind: 'single', keys: [item.key] })
        const down = this.down()
        if (down) return down
        const { status, body } = this.apply(item)
        return { status, retryAfterMs: null, body }
    }

    async batch(items: BatchItem[]): Promise<RawAnswer> {
        this.requests.push({ kind: 'batch', keys: items.map((i) => i.key) })
        const down = this.down()
        if (down) return down
        if (this.mode === 'refuse-batches' && items.length > 1) {
            return { status: 400, retryAfterMs: null, body: { error: { code: 'invalid_argument', message: 'no' } } }
        }
        return { status: 200, retryAfterMs: null, body: { results: items.map((item) => ({ key: item.key, ...this.apply(item) })) } }
    }

    private down(): RawAnswer | null {
        if (this.mode === 'offline') return { status: 0, retryAfterMs: null, body: null }
        if (this.mode === 'overloaded') {
            return { status: 503, retryAfterMs: this.retryAfterMs, body: { error: { code: 'unavailable', message: 'busy' } } }
        }
        return null
    }

    private apply(item: BatchItem): { status: number; body: unknown } {
        const seen = this.answers.get(item.key)
        if (seen) return seen
        const answer = this.compute(item)
        this.answers.set(item.key, answer)
        return answer
    }

    private compute(item: BatchItem): { status: number; body: unknown } {
        const error = (status: number, code: string) => ({ status, body: { error: { code, message: code } } })
        if (item.kind === 'open_tube') {
            if (this.tubes.has(item.barcode)) return error(409, 'tube_barcode_used')
            const tube = { pool: item.pool_size ?? 10, count: 0, status: 'open' as const, id: this.tubes.size + 1 }
            this.tubes.set(item.barcode, tube)
            return { status: 201, body: { id: tube.id, barcode: item.barcode, pool_size: tube.pool, count: 0, status: 'open' } }
        }
        const tube = this.tubes.get(item.tube_barcode)
        if (!tube) return error(404, 'not_found')
        if (item.kind === 'close_tube') {
            if (tube.status === 'closed') return error(422, 'tube_closed')
            tube.status = 'closed'
            return { status: 200, body: { id: tube.id, barcode: item.tube_barcode, count: tube.count, status: 'closed' } }
        }
        if (tube.status === 'closed') return error(422, 'tube_closed')
        const person = item.code ?? `id:${item.resident_id}`
        if (this.samples.has(person)) return error(422, 'already_sampled')
        this.samples.set(person, item.tube_barcode)
        tube.count += 1
        if (tube.count >= tube.pool) tube.status = 'closed'
        return {
            status: 201,
            body: {
                sample: { id: this.samples.size, tube_barcode: item.tube_barcode },
                resident: { id: this.samples.size, name_masked: `张*${this.samples.size}` },
                tube: { id: tube.id, barcode: item.tube_barcode, pool_size: tube.pool, count: tube.count, status: tube.status },
                warnings: person.startsWith('far') ? [{ code: 'outside_scope', message: '不在本轮范围' }] : [],
            },
        }
    }
}

// Timers run by hand: advance(ms) fires what falls due.
export class ManualTimers implements Timers {
    now = 0
    private next = 1
    private readonly pending = new Map<number, { at: number; callback: () => void }>()

    set(callback: () => void, ms: number): unknown {
        const id = this.next++
        this.pending.set(id, { at: this.now + ms, callback })
        return id
    }

    clear(handle: unknown): void {
        this.pending.delete(handle as number)
    }

    // The delays of the timers now waiting.
    waiting(): number[] {
        return [...this.pending.values()].map((t) => t.at - this.now)
    }

    async advance(ms: number): Promise<void> {
        this.now += ms
        for (const [id, timer] of [...this.pending]) {
            if (timer.at <= this.now) {
                this.pending.delete(id)
                timer.callback()
            }
        }
        await new Promise((resolve) => setTimeout(resolve, 0))
    }
}
