import { describe, expect, it } from 'vitest'

import { ApiError } from '@/api/client'

import { ActionKeys, sendKeyed } from './keyed'

describe('ActionKeys', () => {
    it('keeps the key of an action retried after no answer, and makes a new one after success', async () => {
        let n = 0
        const keys = new ActionKeys(() => `key-${++n}`)
        const seen: string[] = []
        await expect(
            sendKeyed(keys, 'seal:1', async (key) => {
                seen.push(key)
                throw new ApiError(0, 'network_error', 'offline')
            }),
        ).rejects.toThrow()
        await expect(
            sendKeyed(keys, 'seal:1', async (key) => {
                seen.push(key)
                throw new ApiError(503, 'unavailable', 'busy')
            }),
        ).rejects.toThrow()
        await sendKeyed(keys, 'seal:1', async (key) => seen.push(key))
        await sendKeyed(keys, 'seal:1', async (key) => seen.push(key))
        expect(seen).toEqual(['key-1', 'key-1', 'key-1', 'key-2'])
    })

    it('forgets the key of a refused action, and keeps actions apart', async () => {
        let n = 0
        const keys = new ActionKeys(() => `key-${++n}`)
        await expect(
            sendKeyed(keys, 'add:1:T1', async () => {
                throw new ApiError(422, 'tube_open', 'open')
            }),
        ).rejects.toThrow()
        expect(keys.keyFor('add:1:T1')).toBe('key-2')
        expect(keys.keyFor('add:1:T2')).toBe('key-3')
    })
})
