// Idempotency keys made on the phone, one per write (open a tube, scan, close a tube). The
// server keeps each under a unique constraint: a retry with the same key gets the first answer.
// A key is 16..64 characters of [A-Za-z0-9_-] (the server checks the same).

export const kKeyPattern = /^[A-Za-z0-9_-]{16,64}$/

export function isIdempotencyKey(value: unknown): value is string {
    return typeof value === 'string' && kKeyPattern.test(value)
}

// A new key: a UUID v7 (RFC 9562), 48 bits of the time in milliseconds, then 74 random bits from
// crypto.getRandomValues (which plain HTTP has too). The time comes first so that keys made one
// after another sort one after another: the server's index of keys takes each new key at its end
// instead of at a random page, which at thousands of scans a second is a third of what each
// commit writes (bench/README.md).
export function newKey(source: Pick<Crypto, 'getRandomValues'> = crypto, now: number = Date.now()): string {
    const bytes = new Uint8Array(16)
    source.getRandomValues(bytes)
    let ms = Math.max(0, Math.floor(now))
    for (let i = 5; i >= 0; i--) {
        bytes[i] = ms % 256
        ms = Math.floor(ms / 256)
    }
    bytes[6] = 0x70 | (bytes[6] & 0x0f) // version 7
    bytes[8] = 0x80 | (bytes[8] & 0x3f) // variant 10
    const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}
