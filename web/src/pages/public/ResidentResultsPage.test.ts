import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createApp, nextTick, type App } from 'vue'
import { createMemoryHistory, createRouter, type Router } from 'vue-router'

import { ApiError } from '@/api/client'
import type { PublicResults } from '@/api/results'
import { i18n, setLocale } from '@/i18n'

const publicResults = vi.fn<(token: string) => Promise<PublicResults>>()
const requestHomeSampling = vi.fn<(token: string, note: string) => Promise<{ requested: boolean }>>()
vi.mock('@/api/results', () => ({
    publicResults: (token: string) => publicResults(token),
    requestHomeSampling: (token: string, note: string) => requestHomeSampling(token, note),
}))

const { default: ResidentResultsPage } = await import('./ResidentResultsPage.vue')

const kToken = 'abcdefghijklmnopqrstuvwxyz'
const settle = async () => {
    for (let i = 0; i < 4; i++) {
        await Promise.resolve()
        await nextTick()
    }
}

const answer = (): PublicResults => ({
    resident: {
        name: '张*伟',
        results: [
            { round_name: '第1轮全员核酸', sampled_at: Date.UTC(2026, 10, 27, 0, 0), result: 'negative', reported_at: Date.UTC(2026, 10, 27, 6, 5), turnaround_minutes: 365, status: null },
            { round_name: '第2轮全员核酸', sampled_at: Date.UTC(2026, 10, 28, 0, 0), result: 'positive', reported_at: Date.UTC(2026, 10, 28, 5, 0), turnaround_minutes: 300, status: 'pending_retest' },
        ],
    },
    household: [{ name: '李*', results: [{ round_name: '第2轮全员核酸', sampled_at: Date.UTC(2026, 10, 28, 0, 0), result: null, reported_at: null, turnaround_minutes: null, status: null }] }],
})

describe('ResidentResultsPage', () => {
    let app: App | null = null
    let router: Router
    let root: HTMLElement

    beforeEach(() => {
        setLocale('zh-CN')
        root = document.createElement('div')
        document.body.append(root)
    })
    afterEach(() => {
        app?.unmount()
        root.remove()
        publicResults.mockReset()
        requestHomeSampling.mockReset()
    })

    const mount = async (token: string) => {
        router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/r/:token', component: ResidentResultsPage }] })
        await router.push(`/r/${token}`)
        app = createApp({ template: '<router-view />' }).use(router).use(i18n)
        app.mount(root)
        await settle()
    }
    const byTestId = (id: string) => root.querySelector(`[data-testid="${id}"]`)

    it("shows the resident's and the household's results, newest first, and the stay-home notice", async () => {
        publicResults.mockResolvedValue(answer())
        await mount(kToken)
        expect(publicResults).toHaveBeenCalledWith(kToken)
        const me = byTestId('public-me')
        expect(me?.textContent).toContain('张*伟')
        const values = [...(me?.querySelectorAll('[data-testid="public-result-value"]') ?? [])].map((e) => e.textContent?.trim())
        expect(values).toEqual(['阳性', '阴性'])
        expect(me?.textContent).toContain('待单采复核')
        expect(me?.textContent).toContain('6 小时 5 分钟')
        expect(byTestId('public-stay-home')?.textContent).toContain('请居家等待')
        expect(byTestId('public-member')?.textContent).toContain('待出结果')
        expect(document.title).toBe('我的核酸检测结果')
    })

    it('switches to English', async () => {
        publicResults.mockResolvedValue(answer())
        await mount(kToken)
        ;(byTestId('public-language') as HTMLButtonElement).click()
        await settle()
        expect(byTestId('public-stay-home')?.textContent).toContain('stay home')
        expect(byTestId('public-me')?.textContent).toContain('Negative')
        setLocale('zh-CN')
    })

    it('says 无效或已失效的二维码 for a wrong code, without asking for a malformed one', async () => {
        publicResults.mockRejectedValue(new ApiError(404, 'not_found', '未找到'))
        await mount(kToken)
        expect(byTestId('public-invalid')?.textContent).toContain('无效或已失效的二维码')
        publicResults.mockClear()
        app?.unmount()
        await mount('bad%20token')
        expect(publicResults).not.toHaveBeenCalled()
        expect(byTestId('public-invalid')?.textContent).toContain('无效或已失效的二维码')
    })

    it('says 请稍后再试 when rate limited, and loads on retry', async () => {
        publicResults.mockRejectedValueOnce(new ApiError(429, 'rate_limited', '请求过于频繁'))
        await mount(kToken)
        expect(byTestId('public-later')?.textContent).toContain('请稍后再试')
        publicResults.mockResolvedValue(answer())
        ;(byTestId('public-later')?.querySelector('button') as HTMLButtonElement).click()
        await settle()
        expect(byTestId('public-me')).not.toBeNull()
    })

    it('asks for home sampling with a note', async () => {
        publicResults.mockResolvedValue(answer())
        requestHomeSampling.mockResolvedValue({ requested: true })
        await mount(kToken)
        ;(byTestId('public-ask') as HTMLButtonElement).click()
        await settle()
        const note = byTestId('public-note') as HTMLTextAreaElement
        note.value = ' 老人卧床 '
        note.dispatchEvent(new Event('input'))
        ;(byTestId('public-send') as HTMLButtonElement).click()
        await settle()
        expect(requestHomeSampling).toHaveBeenCalledWith(kToken, '老人卧床')
        expect(byTestId('public-requested')?.textContent).toContain('已提交申请')
    })
})
