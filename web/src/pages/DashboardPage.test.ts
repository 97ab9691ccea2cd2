import { createPinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createApp, nextTick, type App } from 'vue'

import { ApiError } from '@/api/client'
import type { SystemInfo } from '@/api/system'
import { i18n, setLocale } from '@/i18n'

const getSystemInfo = vi.fn<(signal?: AbortSignal) => Promise<SystemInfo>>()
vi.mock('@/api/system', () => ({ getSystemInfo: (signal?: AbortSignal) => getSystemInfo(signal) }))

const { default: DashboardPage } = await import('./DashboardPage.vue')

// Resolves once pending promises and the re-render they cause have run.
const settle = async () => {
    for (let i = 0; i < 3; i++) {
        await Promise.resolve()
        await nextTick()
    }
}

describe('DashboardPage', () => {
    let app: App | null = null
    let root: HTMLElement

    beforeEach(() => {
        setLocale('zh-CN')
        root = document.createElement('div')
        document.body.append(root)
    })
    afterEach(() => {
        app?.unmount()
        root.remove()
        getSystemInfo.mockReset()
    })

    const mount = () => {
        app = createApp(DashboardPage).use(createPinia()).use(i18n)
        app.mount(root)
    }
    const stateOf = () => root.querySelector('[data-testid="server-state"]')?.getAttribute('data-state')

    it('shows loading, then the server state', async () => {
        const now = Date.now()
        let answer!: (info: SystemInfo) => void
        getSystemInfo.mockReturnValue(new Promise((resolve) => (answer = resolve)))
        mount()
        await nextTick()
        expect(stateOf()).toBe('loading')

        answer({
            name: 'bulwark',
            version: '0.1.0',
            database: 'sqlite',
            started_at: now - ((24 + 2) * 60 + 5) * 60_000,
            server_time: now,
        })
        await settle()
        expect(stateOf()).toBe('ready')
        expect(root.querySelector('[data-testid="info-name"]')?.textContent).toBe('bulwark')
        expect(root.querySelector('[data-testid="info-database"]')?.textContent).toBe('SQLite（单机）')
        expect(root.textContent).toContain('1 天 2 小时 5 分钟')
        expect(root.textContent).not.toContain('本机时钟')
    })

    it('warns when the device clock is off', async () => {
        const now = Date.now()
        getSystemInfo.mockResolvedValue({
            name: 'bulwark',
            version: '0.1.0',
            database: 'postgresql',
            started_at: now - 3_600_000,
            server_time: now - 300_000,
        })
        mount()
        await settle()
        expect(stateOf()).toBe('ready')
        expect(root.textContent).toContain('本机时钟与服务器相差约 300 秒')
    })

    it("shows the server's error message and retries", async () => {
        getSystemInfo.mockRejectedValueOnce(new ApiError(503, 'unavailable', '数据库暂时不可用'))
        mount()
        await settle()
        expect(stateOf()).toBe('error')
        expect(root.querySelector('[data-testid="error-message"]')?.textContent).toBe('数据库暂时不可用')
        expect(root.textContent).toContain('错误代码：unavailable')

        getSystemInfo.mockResolvedValueOnce({
            name: 'bulwark',
            version: '0.1.0',
            database: 'sqlite',
            started_at: Date.now(),
            server_time: Date.now(),
        })
        ;(root.querySelector('[data-testid="retry"]') as HTMLButtonElement).click()
        await settle()
        expect(stateOf()).toBe('ready')
        expect(getSystemInfo).toHaveBeenCalledTimes(2)
    })

    it('translates a network failure', async () => {
        getSystemInfo.mockRejectedValue(new ApiError(0, 'network_error', 'Failed to fetch'))
        mount()
        await settle()
        expect(root.querySelector('[data-testid="error-message"]')?.textContent).toBe(
            '无法连接服务器，请检查网络后重试。',
        )
    })
})
