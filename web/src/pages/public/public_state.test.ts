import { describe, expect, it } from 'vitest'

import { ApiError, kNetworkError } from '@/api/client'
import type { PublicResults } from '@/api/results'
import { sessionAccess, type SessionView } from '@/router/guards'
import { buildRoutes } from '@/router/index'

import { formatWhen, householdPendingRetest, isPendingRetest, newestFirst, plausibleToken, publicFailure } from './public_state'

const result = (sampled_at: number, status: string | null = null) => ({
    round_name: 'r',
    sampled_at,
    result: null,
    reported_at: null,
    turnaround_minutes: null,
    status,
})

describe('the residents’ own page', () => {
    it('reads a wrong code, too many requests and the rest apart', () => {
        expect(publicFailure(new ApiError(404, 'not_found', '未找到'))).toBe('invalid')
        expect(publicFailure(new ApiError(429, 'rate_limited', '请求过于频繁'))).toBe('later')
        expect(publicFailure(new ApiError(0, kNetworkError, 'offline'))).toBe('failed')
        expect(publicFailure(new ApiError(500, 'internal', 'x'))).toBe('failed')
        expect(publicFailure(new Error('x'))).toBe('failed')
    })

    it('takes only tokens shaped like the printed ones', () => {
        expect(plausibleToken('abcdefghijklmnopqrstuvwxyz')).toBe(true)
        expect(plausibleToken('ab2345')).toBe(false)
        expect(plausibleToken('../../api/v1/users')).toBe(false)
        expect(plausibleToken('abc def ghi jkl')).toBe(false)
        expect(plausibleToken(undefined)).toBe(false)
    })

    it('lists the newest sampling first and finds who must stay home', () => {
        expect(newestFirst([result(1), result(3), result(2)]).map((r) => r.sampled_at)).toEqual([3, 2, 1])
        const data: PublicResults = {
            resident: { name: '张*', results: [result(1, 'cleared')] },
            household: [
                { name: '李*', results: [result(2, 'pending_retest')] },
                { name: '王*', results: [result(2)] },
                { name: '赵*', status: 'pending_retest', results: [] },
            ],
        }
        expect(isPendingRetest(data.resident)).toBe(false)
        expect(householdPendingRetest(data)).toEqual(['李*', '赵*'])
    })

    it('writes times without the year of this year', () => {
        const now = new Date(2026, 10, 29, 15, 0).getTime()
        expect(formatWhen(new Date(2026, 10, 29, 8, 5).getTime(), 'zh-CN', now)).toBe('11月29日 08:05')
        expect(formatWhen(new Date(2025, 0, 2, 8, 5).getTime(), 'zh-CN', now)).toContain('2025')
    })

    it('is routed outside the app frame and opens without a session', () => {
        const routes = buildRoutes()
        const route = routes.find((r) => r.name === 'publicResults')
        expect(route?.path).toBe('/r/:token')
        expect(route?.meta?.public).toBe(true)
        expect(typeof route?.component).toBe('function')
        const signedOut: SessionView = {
            status: 'signed-out',
            mustChangePassword: false,
            can: () => false,
            ensureLoaded: async () => {},
            clear: () => {},
        }
        const to = { path: '/r/abc', fullPath: '/r/abc', name: 'publicResults', meta: { public: true }, query: {}, params: { token: 'abc' } }
        expect(sessionAccess(to as never, signedOut)).toBe(true)
    })
})
