// How long the queue waits before sending again after a failure (no network, 503, 5xx).
//
// Without a Retry-After: exponential from `baseMs`, doubled per failed attempt up to `capMs`,
// with "equal jitter" (half fixed, half random), so a site's phones, all cut off by the same
// jammed cell, do not all come back in the same instant. With a Retry-After (the server is
// overloaded and says when to come back): never earlier than asked, spread over up to half as
// long again.
export interface BackoffOptions {
    baseMs?: number
    capMs?: number
    random?: () => number
}

export const kBackoffBaseMs = 1_000
export const kBackoffCapMs = 60_000

// `attempt` counts failures in a row, from 0 for the first.
export function backoffDelay(attempt: number, retryAfterMs: number | null, options: BackoffOptions = {}): number {
    const base = options.baseMs ?? kBackoffBaseMs
    const cap = options.capMs ?? kBackoffCapMs
    const random = options.random ?? Math.random
    if (retryAfterMs !== null && retryAfterMs > 0) {
        return Math.round(retryAfterMs + random() * retryAfterMs * 0.5)
    }
    const ceiling = Math.min(cap, base * 2 ** Math.min(Math.max(0, attempt), 30))
    return Math.round(ceiling / 2 + random() * (ceiling / 2))
}
