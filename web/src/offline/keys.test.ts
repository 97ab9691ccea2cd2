import { describe, expect, it } from 'vitest'

import { isIdempotencyKey, newKey } from './keys'

describe('idempotency keys', () => {
    it('are UUIDs where the browser has randomUUID', () => {
        const key = newKey()
        expect(isIdempotencyKey(key)).toBe(true)
        expect(key).toMatch(/^[0-9a-f-]{36}$/)
        expect(newKey()).not.toBe(key)
    })

    it('are 32 hex characters from getRandomValues on plain HTTP', () => {
        const source = { getRandomValues: crypto.getRandomValues.bind(crypto) }
        const key = newKey(source)
        expect(key).toMatch(/^[0-9a-f]{32}$/)
        expect(isIdempotencyKey(key)).toBe(true)
    })

    it('are checked for length and alphabet', () => {
        expect(isIdempotencyKey('short')).toBe(false)
        expect(isIdempotencyKey('a'.repeat(64))).toBe(true)
        expect(isIdempotencyKey('a'.repeat(65))).toBe(false)
        expect(isIdempotencyKey('abc def ghi jkl mno')).toBe(false)
        expect(isIdempotencyKey(42)).toBe(false)
    })
})
