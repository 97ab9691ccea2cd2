import { describe, expect, it } from 'vitest'

import { clockSkewSeconds, formatDateTime, splitUptime } from './dashboard_format'

describe('dashboard formatting', () => {
    it('splits uptime into days, hours and minutes', () => {
        const start = Date.UTC(2022, 3, 1, 8, 0)
        expect(splitUptime(start, start + ((2 * 24 + 3) * 60 + 7) * 60_000 + 59_000)).toEqual({
            days: 2,
            hours: 3,
            minutes: 7,
        })
        expect(splitUptime(start, start - 5_000)).toEqual({ days: 0, hours: 0, minutes: 0 })
    })

    it('measures the device clock against the server', () => {
        expect(clockSkewSeconds(1_000_000, 1_090_400)).toBe(90)
        expect(clockSkewSeconds(1_090_400, 1_000_000)).toBe(-90)
    })

    it('formats times with the locale', () => {
        const ms = new Date(2022, 3, 1, 8, 5, 9).getTime()
        expect(formatDateTime(ms, 'zh-CN')).toBe('2022/04/01 08:05:09')
    })
})
