import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createMemoryHistory, createRouter, type RouteLocationNormalized, type Router } from 'vue-router'

import { api, ApiError } from '@/api/client'

import { installGuards, installSessionCheck, safeRedirect, sessionAccess, type SessionView } from './guards'

const page = { template: '<div/>' }

function view(overrides: Partial<SessionView> = {}): SessionView {
    return {
        status: 'signed-in',
        mustChangePassword: false,
        can: () => false,
        ensureLoaded: async () => {},
        clear: () => {},
        ...overrides,
    }
}

function location(path: string, meta: Record<string, unknown> = {}, name = 'page'): RouteLocationNormalized {
    const url = new URL(path, 'http://x')
    return {
        path: url.pathname,
        fullPath: path,
        name,
        meta,
        query: Object.fromEntries(url.searchParams),
        params: {},
        hash: '',
        matched: [],
        redirectedFrom: undefined,
    } as RouteLocationNormalized
}

describe('safeRedirect', () => {
    it('keeps paths of this app', () => {
        expect(safeRedirect('/users?page=2')).toBe('/users?page=2')
        expect(safeRedirect(['/audit'])).toBe('/audit')
    })
    it('refuses other sites, the login page and nonsense', () => {
        for (const bad of ['//evil.example/x', '/\\evil.example', 'https://evil.example', 'users', '/login', '/login?redirect=/x', undefined, null, 3]) {
            expect(safeRedirect(bad), String(bad)).toBe('/')
        }
    })
})

describe('sessionAccess', () => {
    it('sends a signed-out user to the login page, remembering where they were going', () => {
        const signedOut = view({ status: 'signed-out' })
        expect(sessionAccess(location('/audit?page=3'), signedOut)).toEqual({
            name: 'login',
            query: { redirect: '/audit?page=3' },
        })
        expect(sessionAccess(location('/'), signedOut)).toEqual({ name: 'login', query: {} })
    })

    it('lets anyone see public pages, and sends a signed-in user on from the login page', () => {
        expect(sessionAccess(location('/login', { public: true }, 'login'), view({ status: 'signed-out' }))).toBe(true)
        expect(sessionAccess(location('/login?redirect=/users', { public: true }, 'login'), view())).toBe('/users')
        expect(sessionAccess(location('/login?redirect=//evil', { public: true }, 'login'), view())).toBe('/')
    })

    it('keeps a user who must change their password on 我的账户', () => {
        const forced = view({ mustChangePassword: true })
        expect(sessionAccess(location('/users'), forced)).toEqual({
            name: 'account',
            query: { redirect: '/users' },
            replace: true,
        })
        expect(sessionAccess(location('/account', {}, 'account'), forced)).toBe(true)
    })

    it('checks the page permission', () => {
        const meta = { permission: 'users.manage' }
        expect(sessionAccess(location('/users', meta), view({ can: (p) => p === 'users.manage' }))).toBe(true)
        expect(sessionAccess(location('/users', meta), view())).toEqual({
            name: 'forbidden',
            query: { from: '/users' },
            replace: true,
        })
        expect(sessionAccess(location('/'), view())).toBe(true)
    })
})

describe('installSessionCheck', () => {
    let router: Router
    let session: SessionView & { cleared: unknown[] }
    let uninstall: () => void
    let fetchMock: ReturnType<typeof vi.fn>

    beforeEach(async () => {
        fetchMock = vi.fn()
        vi.stubGlobal('fetch', fetchMock)
        router = createRouter({
            history: createMemoryHistory(),
            routes: [
                { path: '/login', name: 'login', component: page, meta: { public: true } },
                { path: '/', name: 'dashboard', component: page },
                { path: '/users', name: 'users', component: page, meta: { permission: 'users.manage' } },
                { path: '/account', name: 'account', component: page },
                { path: '/forbidden', name: 'forbidden', component: page },
            ],
        })
        installGuards(router)
        const cleared: unknown[] = []
        session = {
            status: 'unknown',
            mustChangePassword: false,
            can: () => true,
            ensureLoaded: vi.fn(async () => {
                if (session.status === 'unknown') session.status = 'signed-in'
            }),
            clear: (reason) => {
                session.status = 'signed-out'
                cleared.push(reason)
            },
            cleared,
        }
        uninstall = installSessionCheck(router, () => session)
    })
    afterEach(() => {
        uninstall()
        vi.unstubAllGlobals()
    })

    it('waits for the session before the first page', async () => {
        await router.push('/users')
        expect(session.ensureLoaded).toHaveBeenCalled()
        expect(router.currentRoute.value.fullPath).toBe('/users')
    })

    it('answers a 401 while signed in with the login page and the way back', async () => {
        await router.push('/users')
        fetchMock.mockResolvedValue(
            new Response(JSON.stringify({ error: { code: 'unauthenticated', message: '登录已过期, 请重新登录', field: null } }), {
                status: 401,
            }),
        )
        await expect(api.get('/users')).rejects.toBeInstanceOf(ApiError)
        await vi.waitFor(() => expect(router.currentRoute.value.name).toBe('login'))
        expect(router.currentRoute.value.query.redirect).toBe('/users')
        expect((session.cleared[0] as ApiError).message).toBe('登录已过期, 请重新登录')
    })

    it('leaves a wrong password at login to the login page', async () => {
        session.status = 'signed-out'
        await router.push('/login')
        fetchMock.mockResolvedValue(
            new Response(JSON.stringify({ error: { code: 'unauthenticated', message: '用户名或密码错误', field: null } }), {
                status: 401,
            }),
        )
        await expect(api.post('/auth/login', {})).rejects.toBeInstanceOf(ApiError)
        expect(session.cleared).toEqual([])
        expect(router.currentRoute.value.fullPath).toBe('/login')
    })
})
