import type { BatchItem, RawAnswer } from '@/api/sampling'

import { backoffDelay, type BackoffOptions } from './backoff'
import type { QueueItem } from './item'
import type { SamplingQueue } from './queue'
import { isTransient } from './verdict'

// How the engine reaches the server (transport.ts over fetch; a fake in tests).
export interface Transport {
    // One write alone, on its own route (POST /sampling/scans, ...).
    single(item: BatchItem): Promise<RawAnswer>
    // Several writes in one POST /sampling/batch; the body is {results:[{key,status,body}]}.
    batch(items: BatchItem[]): Promise<RawAnswer>
    // Whether one write can go on its own route (a close by barcode goes through the batch).
    canSendAlone(item: BatchItem): boolean
}

export interface Timers {
    set(callback: () => void, ms: number): unknown
    clear(handle: unknown): void
}

export interface SyncOptions {
    // Most writes per POST /sampling/batch (the server takes at most 200).
    batchSize?: number
    backoff?: BackoffOptions
    timers?: Timers
    now?: () => number
    // False when the browser knows it is offline: nothing is tried until it says online.
    online?: () => boolean
    // The session ended (401): the page sends the user to sign in; the queue waits.
    onAuthLost?: () => void
}

export interface SyncState {
    sending: boolean
    // Failed sends in a row (no answer, 5xx, 503 Retry-After).
    failures: number
    // When the next try is due after a failure (ms since the epoch), else null.
    retryAt: number | null
    // The status of the last failed send: 0 = no answer, else the HTTP status.
    lastFailure: number | null
    authLost: boolean
}

export const kDefaultBatchSize = 100

type Outcome = { kind: 'ok' } | { kind: 'transient'; retryAfterMs: number | null; status: number } | { kind: 'auth' }

const kRealTimers: Timers = {
    set: (callback, ms) => setTimeout(callback, ms),
    clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
}

// Sends the queue's pending writes, in order, whenever there is something to send and a way
// to send it: at once after each new write, again when the browser comes back online, and
// after a failure when the back-off (exponential with jitter, never earlier than a 503's
// Retry-After) has passed. One send at a time; writes queued while one is in flight go in the
// next batch. A whole batch refused as a request (not item by item) is retried one write at a
// time, so one bad write cannot hold the others back.
export class SyncEngine {
    private readonly batchSize: number
    private readonly timers: Timers
    private readonly now: () => number
    private readonly online: () => boolean
    private running: Promise<void> | null = null
    private again = false
    private timer: unknown = null
    private singles = false
    private lastRetryAfter: number | null = null
    private readonly listeners = new Set<() => void>()
    private current: SyncState = { sending: false, failures: 0, retryAt: null, lastFailure: null, authLost: false }

    constructor(
        private readonly queue: SamplingQueue,
        private readonly transport: Transport,
        private readonly options: SyncOptions = {},
    ) {
        this.batchSize = Math.max(1, Math.min(200, options.batchSize ?? kDefaultBatchSize))
        this.timers = options.timers ?? kRealTimers
        this.now = options.now ?? (() => Date.now())
        this.online = options.online ?? (() => true)
    }

    get state(): SyncState {
        return this.current
    }

    subscribe(listener: () => void): () => void {
        this.listeners.add(listener)
        return () => this.listeners.delete(listener)
    }

    // Sends now if nothing holds it back. `force` also cuts short a back-off wait (the browser
    // just came back online), except one the server asked for with Retry-After.
    kick(force = false): Promise<void> {
        if (this.timer !== null) {
            if (!force || this.lastRetryAfter !== null) return this.running ?? Promise.resolve()
            this.timers.clear(this.timer)
            this.timer = null
            this.set({ retryAt: null })
        }
        return this.flush()
    }

    // After signing in again: the queue may be sent.
    resume(): Promise<void> {
        this.set({ authLost: false })
        return this.kick(true)
    }

    stop(): void {
        if (this.timer !== null) this.timers.clear(this.timer)
        this.timer = null
    }

    flush(): Promise<void> {
        if (this.running) {
            this.again = true
            return this.running
        }
        this.running = this.loop().finally(() => {
            this.running = null
            this.set({ sending: false })
        })
        return this.running
    }

    private async loop(): Promise<void> {
        do {
            this.again = false
            for (;;) {
                if (this.current.authLost || this.timer !== null) return
                if (!this.online()) {
                    this.set({ lastFailure: 0 })
                    return
                }
                const pending = this.queue.pending()
                if (pending.length === 0) {
                    this.singles = false
                    return
                }
                this.set({ sending: true })
                const outcome = await this.send(pending.slice(0, this.singles ? 1 : this.batchSize))
                if (outcome.kind === 'auth') {
                    this.set({ authLost: true, sending: false })
                    this.options.onAuthLost?.()
                    return
                }
                if (outcome.kind === 'transient') {
                    this.scheduleRetry(outcome.retryAfterMs, outcome.status)
                    return
                }
                this.lastRetryAfter = null
                if (this.current.failures !== 0 || this.current.lastFailure !== null) {
                    this.set({ failures: 0, lastFailure: null })
                }
            }
        } while (this.again)
    }

    private scheduleRetry(retryAfterMs: number | null, status: number): void {
        const failures = this.current.failures + 1
        const delay = backoffDelay(failures - 1, retryAfterMs, this.options.backoff)
        this.lastRetryAfter = retryAfterMs
        this.timer = this.timers.set(() => {
            this.timer = null
            this.set({ retryAt: null })
            void this.flush()
        }, delay)
        this.set({ failures, retryAt: this.now() + delay, lastFailure: status, sending: false })
    }

    private async send(items: QueueItem[]): Promise<Outcome> {
        if (items.length === 1 && this.transport.canSendAlone(items[0].request)) {
            const answer = await this.transport.single(items[0].request)
            return this.settleOne(items[0], answer)
        }
        const answer = await this.transport.batch(items.map((item) => item.request))
        if (answer.status === 200) {
            const results = (answer.body as { results?: unknown } | null)?.results
            if (Array.isArray(results)) {
                const verdicts = await this.queue.settle(
                    results
                        .filter((r) => r && typeof r.key === 'string' && typeof r.status === 'number')
                        .map((r) => ({ key: r.key, status: r.status, body: r.body })),
                )
                const kinds = [...verdicts.values()].map((v) => v.kind)
                if (kinds.includes('auth')) return { kind: 'auth' }
                if (kinds.includes('retry')) {
                    const retry = [...verdicts.values()].find((v) => v.kind === 'retry')
                    return { kind: 'transient', retryAfterMs: null, status: retry?.status ?? 503 }
                }
                // Items the server did not answer (it should answer each) are tried again.
                const answered = new Set(verdicts.keys())
                if (items.some((item) => !answered.has(item.key))) {
                    await this.queue.noteFailure(items.filter((i) => !answered.has(i.key)).map((i) => i.key))
                    return { kind: 'transient', retryAfterMs: null, status: 200 }
                }
                return { kind: 'ok' }
            }
        }
        if (answer.status === 401) return { kind: 'auth' }
        if (isTransient(answer.status)) {
            await this.queue.noteFailure(items.map((item) => item.key))
            return { kind: 'transient', retryAfterMs: answer.retryAfterMs, status: answer.status }
        }
        if (items.length === 1) return this.settleOne(items[0], answer)
        // The batch as a whole was refused: send one at a time until the queue is empty.
        this.singles = true
        return { kind: 'ok' }
    }

    private async settleOne(item: QueueItem, answer: RawAnswer): Promise<Outcome> {
        const verdict = (await this.queue.settle([{ key: item.key, status: answer.status, body: answer.body }])).get(item.key)
        if (verdict?.kind === 'auth') return { kind: 'auth' }
        if (verdict?.kind === 'retry') {
            return { kind: 'transient', retryAfterMs: answer.retryAfterMs, status: answer.status }
        }
        return { kind: 'ok' }
    }

    private set(patch: Partial<SyncState>): void {
        this.current = { ...this.current, ...patch }
        for (const listener of [...this.listeners]) listener()
    }
}
