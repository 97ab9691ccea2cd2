import { describe, expect, it } from 'vitest'

import { isIdempotencyKey, newKey } from './keys'

describe('idempotency keys', () => {
    it('are UUID v7s, fresh each time', () => {
        const key = newKey()
        expect(isIdempotencyKey(key)).toBe(true)
        expect(key).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
        expect(newKey()).not.toBe(key)
    })

    it('begin with the time in milliseconds, so that later keys sort later', () => {
        const at = Date.UTC(2026, 10, 30, 9, 0, 0)
        const key = newKey(crypto, at)
        expect(parseInt(key.slice(0, 8) + key.slice(9, 13), 16)).toBe(at)
        const keys = [at + 1000, at + 1, at + 256, at + 65536, at].map((t) => newKey(crypto, t))
        const sorted = [...keys].sort()
        expect(sorted).toEqual([keys[4], keys[1], keys[2], keys[0], keys[3]])
    })

    it('take their random part from getRandomValues, which plain HTTP has too', () => {
        const source = { getRandomValues: <T extends ArrayBufferView | null>(a: T): T => {
            new Uint8Array((a as unknown as Uint8Array).buffer).fill(0xff)
            return a
        } }
        expect(newKey(source, 0)).toBe('00000000-0000-7fff-bfff-ffffffffffff')
    })

    it('are checked for length and alphabet', () => {
        expect(isIdempotencyKey('short')).toBe(false)
        expect(isIdempotencyKey('a'.repeat(64))).toBe(true)
        expect(isIdempotencyKey('a'.repeat(65))).toBe(false)
        expect(isIdempotencyKey('abc def ghi jkl mno')).toBe(false)
        expect(isIdempotencyKey(42)).toBe(false)
    })
})
