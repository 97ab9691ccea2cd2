import { describe, expect, it } from 'vitest'

import { backoffDelay } from './backoff'

describe('backoff', () => {
    it('doubles per failure, half fixed and half random, up to the cap', () => {
        const low = { random: () => 0 }
        const high = { random: () => 0.999999 }
        expect(backoffDelay(0, null, low)).toBe(500)
        expect(backoffDelay(0, null, high)).toBe(1000)
        expect(backoffDelay(1, null, low)).toBe(1000)
        expect(backoffDelay(3, null, low)).toBe(4000)
        expect(backoffDelay(3, null, high)).toBe(8000)
        expect(backoffDelay(20, null, high)).toBe(60000)
        expect(backoffDelay(20, null, low)).toBe(30000)
    })

    it('never comes back before Retry-After, and spreads the phones over half as long again', () => {
        expect(backoffDelay(0, 5000, { random: () => 0 })).toBe(5000)
        expect(backoffDelay(5, 5000, { random: () => 0.999999 })).toBe(7500)
        for (let i = 0; i < 100; i++) {
            const delay = backoffDelay(i % 7, 2000)
            expect(delay).toBeGreaterThanOrEqual(2000)
            expect(delay).toBeLessThanOrEqual(3000)
        }
    })

    it('differs between phones (jitter)', () => {
        const delays = new Set(Array.from({ length: 20 }, () => backoffDelay(4, null)))
        expect(delays.size).toBeGreaterThan(10)
    })

    it('takes a Retry-After of 0 as none', () => {
        expect(backoffDelay(0, 0, { random: () => 0 })).toBe(500)
    })
})
