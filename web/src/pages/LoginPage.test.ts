import { createPinia, setActivePinia, type Pinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createApp, nextTick, type App } from 'vue'
import { createMemoryHistory, createRouter, type Router } from 'vue-router'

import { i18n, setLocale } from '@/i18n'

import LoginPage from './LoginPage.vue'

const settle = async () => {
    for (let i = 0; i < 6; i++) {
        await new Promise((resolve) => setTimeout(resolve, 0))
        await nextTick()
    }
}

function json(status: number, body: unknown): Response {
    return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
}

describe('LoginPage', () => {
    let app: App | null = null
    let root: HTMLElement
    let router: Router
    let pinia: Pinia
    let fetchMock: ReturnType<typeof vi.fn>

    beforeEach(async () => {
        setLocale('zh-CN')
        fetchMock = vi.fn()
        vi.stubGlobal('fetch', fetchMock)
        root = document.createElement('div')
        document.body.append(root)
        pinia = createPinia()
        setActivePinia(pinia)
        router = createRouter({
            history: createMemoryHistory(),
            routes: [
                { path: '/login', name: 'login', component: LoginPage },
                { path: '/:rest(.*)*', component: { template: '<div data-testid="elsewhere"/>' } },
            ],
        })
        await router.push('/login?redirect=/audit')
        app = createApp({ template: '<router-view/>' }).use(pinia).use(i18n).use(router)
        app.mount(root)
        await settle()
    })
    afterEach(() => {
        app?.unmount()
        root.remove()
        vi.unstubAllGlobals()
    })

    const input = (testid: string) => root.querySelector<HTMLInputElement>(`input[data-testid="${testid}"]`)!
    const type = async (testid: string, value: string) => {
        const el = input(testid)
        el.value = value
        el.dispatchEvent(new Event('input'))
        await nextTick()
    }
    const submit = async () => {
        root.querySelector('form')!.dispatchEvent(new Event('submit', { cancelable: true }))
        await settle()
    }

    it('asks for both fields before sending anything', async () => {
        await submit()
        expect(fetchMock).not.toHaveBeenCalled()
        expect(root.querySelectorAll('.el-form-item.is-error')).toHaveLength(2)
    })

    it("shows the server's message and clears the password on failure", async () => {
        fetchMock.mockResolvedValue(json(401, { error: { code: 'unauthenticated', message: '用户名或密码错误', field: null } }))
        await type('login-username', ' wang ')
        await type('login-password', 'wrong-password')
        await submit()
        const [url, init] = fetchMock.mock.calls[0] as [string, RequestInit]
        expect(url).toBe('/api/v1/auth/login')
        expect(JSON.parse(init.body as string)).toEqual({ username: 'wang', password: 'wrong-password' })
        expect(root.querySelector('[data-testid="login-error"]')?.textContent).toContain('用户名或密码错误')
        expect(input('login-password').value).toBe('')
        expect(router.currentRoute.value.name).toBe('login')
    })

    it('goes where the user wanted after signing in', async () => {
        fetchMock.mockResolvedValue(
            json(200, {
                user: { id: 1, username: 'wang', display_name: '王', locked: false, must_change_password: false, grants: [] },
                permissions: ['account.self'],
                csrf_token: 'c',
            }),
        )
        await type('login-username', 'wang')
        await type('login-password', 'right-password')
        await submit()
        expect(router.currentRoute.value.fullPath).toBe('/audit')
    })
})
