import type { BatchItem } from '@/api/sampling'

import type { QueueItem, QueueStore, Station } from './item'
import { verdictOf, type Verdict } from './verdict'

// An answer to one queued write: its key, HTTP status (0 = none) and body.
export interface Answer {
    key: string
    status: number
    body: unknown
}

// What the page may show of an accepted scan's answer, kept in memory only (never in the
// store): the masked name and the warnings' sentences.
export interface ShownAnswer {
    name_masked?: string
    warnings: { code: string; message: string }[]
}

// How long finished items stay (for the page's list of recent scans and the tube counts).
export const kKeepDoneMs = 12 * 60 * 60 * 1000
export const kKeepDoneMax = 1000

// The phone's queue of sampling writes (open a tube, scan, close a tube), in creation order,
// kept in a QueueStore so that nothing is lost when the network, the tab or the browser goes.
// An item is written to the store before add() resolves; the server's verdict replaces it
// there once it comes. One instance per tab; the store is the truth, so a reload picks up
// where the last tab stopped. Not thread-safe (there are no threads): calls run in order on
// the page's event loop.
export class SamplingQueue {
    private readonly items = new Map<string, QueueItem>()
    private readonly shown = new Map<string, ShownAnswer>()
    private readonly listeners = new Set<() => void>()
    private lastSeq = 0

    constructor(
        readonly store: QueueStore,
        private readonly now: () => number = () => Date.now(),
    ) {}

    get durable(): boolean {
        return this.store.durable
    }

    // Reads the store (what an earlier tab left).
    async load(): Promise<void> {
        const stored = await this.store.all()
        this.items.clear()
        for (const item of stored) {
            this.items.set(item.key, item)
            this.lastSeq = Math.max(this.lastSeq, item.seq)
        }
        this.notify()
    }

    // Every item in creation order.
    list(): QueueItem[] {
        return [...this.items.values()].sort((a, b) => a.seq - b.seq)
    }

    pending(): QueueItem[] {
        return this.list().filter((item) => item.state === 'pending')
    }

    get(key: string): QueueItem | undefined {
        return this.items.get(key)
    }

    answerFor(key: string): ShownAnswer | undefined {
        return this.shown.get(key)
    }

    // Queues one write; resolves once it is in the store.
    async add(request: BatchItem, station: Station): Promise<QueueItem> {
        if (this.items.has(request.key)) throw new Error(`key ${request.key} is already queued`)
        const now = this.now()
        this.lastSeq = Math.max(this.lastSeq + 1, now * 1000)
        const item: QueueItem = {
            key: request.key,
            seq: this.lastSeq,
            kind: request.kind,
            request,
            station: { round_id: station.round_id, site_id: station.site_id, table_id: station.table_id },
            tube_barcode: request.kind === 'open_tube' ? request.barcode : request.tube_barcode,
            state: 'pending',
            created_at: now,
            attempts: 0,
        }
        await this.store.put([item])
        this.items.set(item.key, item)
        this.notify()
        return item
    }

    // Applies the server's answers. Returns the verdict for each answered key; items whose
    // verdict is retry or auth stay pending (a retry also counts an attempt).
    async settle(answers: Answer[]): Promise<Map<string, Verdict>> {
        const verdicts = new Map<string, Verdict>()
        const changed: QueueItem[] = []
        const now = this.now()
        for (const answer of answers) {
            const item = this.items.get(answer.key)
            if (!item || item.state !== 'pending') continue
            const verdict = verdictOf(item.kind, answer.status, answer.body)
            verdicts.set(answer.key, verdict)
            const next: QueueItem = { ...item, status: answer.status }
            if (verdict.kind === 'accepted') {
                next.state = 'accepted'
                next.done_at = now
                next.warnings = verdict.warnings
                if (verdict.tube?.count !== undefined) next.tube_count = verdict.tube.count
                if (verdict.tube?.status) next.tube_status = verdict.tube.status
                if (verdict.tube?.id !== undefined) next.tube_id = verdict.tube.id
                this.remember(answer.key, answer.body)
            } else if (verdict.kind === 'rejected') {
                next.state = 'rejected'
                next.done_at = now
                next.code = verdict.code
                next.message = verdict.message
            } else if (verdict.kind === 'retry') {
                next.attempts = item.attempts + 1
            } else {
                continue
            }
            changed.push(next)
        }
        if (changed.length > 0) {
            await this.store.put(changed)
            for (const item of changed) this.items.set(item.key, item)
            this.notify()
        }
        return verdicts
    }

    // Counts one failed attempt for each of `keys` (the request got no usable answer).
    async noteFailure(keys: string[]): Promise<void> {
        const changed = keys
            .map((key) => this.items.get(key))
            .filter((item): item is QueueItem => item !== undefined && item.state === 'pending')
            .map((item) => ({ ...item, attempts: item.attempts + 1 }))
        if (changed.length === 0) return
        await this.store.put(changed)
        for (const item of changed) this.items.set(item.key, item)
        this.notify()
    }

    // Forgets finished items older than `keepMs`, and the oldest beyond `keepMax`. Pending
    // items are never dropped.
    async prune(keepMs = kKeepDoneMs, keepMax = kKeepDoneMax): Promise<number> {
        const now = this.now()
        const done = this.list().filter((item) => item.state !== 'pending')
        const old = new Set(done.filter((item) => now - (item.done_at ?? item.created_at) > keepMs).map((i) => i.key))
        const young = done.filter((item) => !old.has(item.key))
        for (const item of young.slice(0, Math.max(0, young.length - keepMax))) old.add(item.key)
        if (old.size === 0) return 0
        await this.store.delete([...old])
        for (const key of old) {
            this.items.delete(key)
            this.shown.delete(key)
        }
        this.notify()
        return old.size
    }

    // Calls `listener` after every change; returns the function that stops it.
    subscribe(listener: () => void): () => void {
        this.listeners.add(listener)
        return () => this.listeners.delete(listener)
    }

    private remember(key: string, body: unknown): void {
        const answer = body as { resident?: { name_masked?: unknown }; warnings?: unknown } | null
        const name = answer?.resident?.name_masked
        const warnings = Array.isArray(answer?.warnings)
            ? (answer.warnings as { code?: unknown; message?: unknown }[])
                  .filter((w) => typeof w?.code === 'string')
                  .map((w) => ({ code: w.code as string, message: typeof w.message === 'string' ? w.message : '' }))
            : []
        this.shown.set(key, { name_masked: typeof name === 'string' ? name : undefined, warnings })
    }

    private notify(): void {
        for (const listener of [...this.listeners]) listener()
    }
}
