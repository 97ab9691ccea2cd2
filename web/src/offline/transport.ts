import { postRaw, singleRequest, type BatchItem, type RawAnswer } from '@/api/sampling'

import type { Transport } from './sync'

// A request that has not answered after this long counts as no answer: on a jammed cell a
// request can hang for minutes, and the scan is safe in the queue anyway.
export const kRequestTimeoutMs = 15_000

async function withTimeout(send: (signal: AbortSignal) => Promise<RawAnswer>, ms: number): Promise<RawAnswer> {
    const controller = new AbortController()
    const timer = setTimeout(() => controller.abort(), ms)
    try {
        return await send(controller.signal)
    } catch (error) {
        if (error instanceof DOMException && error.name === 'AbortError') return { status: 0, retryAfterMs: null, body: null }
        throw error
    } finally {
        clearTimeout(timer)
    }
}

// The engine's way to the server: fetch to /api/v1 with the session cookie and CSRF header.
export function fetchTransport(timeoutMs = kRequestTimeoutMs): Transport {
    return {
        single(item: BatchItem) {
            const { path, body } = singleRequest(item)
            return withTimeout((signal) => postRaw(path, body, signal), timeoutMs)
        },
        batch(items: BatchItem[]) {
            return withTimeout((signal) => postRaw('/sampling/batch', { items }, signal), timeoutMs)
        },
        canSendAlone(item: BatchItem) {
            return item.kind !== 'close_tube' || item.tube_id !== undefined
        },
    }
}
