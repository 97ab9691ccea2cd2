// Idempotency keys made on the phone, one per write (open a tube, scan, close a tube). The
// server keeps each under a unique constraint: a retry with the same key gets the first answer.
// A key is 16..64 characters of [A-Za-z0-9_-] (the server checks the same).

export const kKeyPattern = /^[A-Za-z0-9_-]{16,64}$/

export function isIdempotencyKey(value: unknown): value is string {
    return typeof value === 'string' && kKeyPattern.test(value)
}

// A new random key: a UUID v4 where the browser has crypto.randomUUID (secure contexts: HTTPS
// or localhost), else 128 bits from crypto.getRandomValues as hex (a phone on plain HTTP).
export function newKey(source: Pick<Crypto, 'getRandomValues'> & Partial<Pick<Crypto, 'randomUUID'>> = crypto): string {
    if (typeof source.randomUUID === 'function') return source.randomUUID()
    const bytes = new Uint8Array(16)
    source.getRandomValues(bytes)
    return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}
