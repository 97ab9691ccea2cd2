import { newKey } from '@/offline/keys'

// Idempotency keys for writes sent at once rather than queued (boxes, a lab's receipt). The
// same action tried again after a failure (no answer, 503) keeps its key, so an answer lost on
// the way cannot make it happen twice; once the action succeeds or is refused for good, its
// key is forgotten and doing it again is a new action.
export class ActionKeys {
    private readonly keys = new Map<string, string>()

    constructor(private readonly make: () => string = newKey) {}

    // The key for `action` (a string naming what is done to what, e.g. "seal:17").
    keyFor(action: string): string {
        let key = this.keys.get(action)
        if (!key) {
            key = this.make()
            this.keys.set(action, key)
        }
        return key
    }

    // The action got its answer: the next one is new.
    settled(action: string): void {
        this.keys.delete(action)
    }
}

// True for failures worth retrying with the same key: no answer, 408, 429, 5xx.
export function isRetryable(error: unknown): boolean {
    const status = (error as { status?: unknown } | null)?.status
    return typeof status === 'number' && (status === 0 || status === 408 || status === 429 || status >= 500)
}

// Runs `send` with the action's key; forgets the key unless the failure is worth retrying.
export async function sendKeyed<T>(keys: ActionKeys, action: string, send: (key: string) => Promise<T>): Promise<T> {
    try {
        const answer = await send(keys.keyFor(action))
        keys.settled(action)
        return answer
    } catch (error) {
        if (!isRetryable(error)) keys.settled(action)
        throw error
    }
}
