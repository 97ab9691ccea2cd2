import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

import type { Me } from '@/api/auth'
import { ApiError, kNetworkError, readCookie } from '@/api/client'

import { useSessionStore } from './session'

function me(overrides: Partial<Me['user']> = {}, permissions = ['account.self', 'users.manage']): Me {
    return {
        user: {
            id: 1,
            username: 'wang',
            display_name: '王主任',
            locked: false,
            must_change_password: false,
            created_at: 0,
            updated_at: 0,
            grants: [
                { role: 'administrator', scope_kind: 'street', scope_id: 1 },
                { role: 'staff', scope_kind: 'community', scope_id: 3 },
                { role: 'administrator', scope_kind: 'community', scope_id: 4 },
            ],
            ...overrides,
        },
        permissions,
        csrf_token: 'c',
    }
}

function json(status: number, body: unknown): Response {
    return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
}

const unauthenticated = () => json(401, { error: { code: 'unauthenticated', message: '请先登录', field: null } })

describe('session store', () => {
    let fetchMock: ReturnType<typeof vi.fn>

    const csrfCookie = () => readCookie('bulwark_csrf')

    beforeEach(() => {
        setActivePinia(createPinia())
        fetchMock = vi.fn()
        vi.stubGlobal('fetch', fetchMock)
        document.cookie = 'bulwark_csrf=token; path=/'
    })
    afterEach(() => {
        vi.unstubAllGlobals()
        document.cookie = 'bulwark_csrf=; path=/; max-age=0'
    })

    it('does not ask without the CSRF cookie that comes with every session', async () => {
        document.cookie = 'bulwark_csrf=; path=/; max-age=0'
        const session = useSessionStore()
        await session.ensureLoaded()
        expect(fetchMock).not.toHaveBeenCalled()
        expect(session.status).toBe('signed-out')
        expect(session.notice).toBeNull()
    })

    it('asks the server once who is signed in', async () => {
        fetchMock.mockResolvedValue(json(200, me()))
        const session = useSessionStore()
        expect(session.status).toBe('unknown')
        await Promise.all([session.ensureLoaded(), session.ensureLoaded()])
        await session.ensureLoaded()
        expect(fetchMock).toHaveBeenCalledTimes(1)
        expect(fetchMock.mock.calls[0][0]).toBe('/api/v1/auth/me')
        expect(session.signedIn).toBe(true)
        expect(session.user?.display_name).toBe('王主任')
        expect(session.roles).toEqual(['administrator', 'staff'])
        expect(session.can('users.manage')).toBe(true)
        expect(session.can('audit.read')).toBe(false)
    })

    it('is signed out, without a notice, when the server answers 401', async () => {
        fetchMock.mockResolvedValue(unauthenticated())
        const session = useSessionStore()
        await session.ensureLoaded()
        expect(fetchMock).toHaveBeenCalledTimes(1)
        expect(csrfCookie(), 'the stale CSRF cookie is dropped').toBeNull()
        expect(session.status).toBe('signed-out')
        expect(session.signedIn).toBe(false)
        expect(session.notice).toBeNull()
        expect(session.can('account.self')).toBe(false)
    })

    it('is signed out with the reason when the server cannot be reached', async () => {
        fetchMock.mockRejectedValue(new TypeError('Failed to fetch'))
        const session = useSessionStore()
        await session.ensureLoaded()
        expect(session.status).toBe('signed-out')
        expect((session.notice as ApiError).code).toBe(kNetworkError)
        expect(csrfCookie(), 'kept: the session may well be alive').toBe('token')
    })

    it('signs in, and rejects with the server message on a wrong password', async () => {
        const session = useSessionStore()
        fetchMock.mockResolvedValueOnce(
            json(401, { error: { code: 'unauthenticated', message: '用户名或密码错误', field: null } }),
        )
        await expect(session.login('wang', 'nope')).rejects.toMatchObject({ status: 401, message: '用户名或密码错误' })
        expect(session.signedIn).toBe(false)

        fetchMock.mockResolvedValueOnce(json(200, me({ must_change_password: true })))
        session.clear(new ApiError(401, 'unauthenticated', '登录已过期'))
        await session.login('wang', 'right-password')
        const [url, init] = fetchMock.mock.calls.at(-1) as [string, RequestInit]
        expect(url).toBe('/api/v1/auth/login')
        expect(JSON.parse(init.body as string)).toEqual({ username: 'wang', password: 'right-password' })
        expect(session.signedIn).toBe(true)
        expect(session.mustChangePassword).toBe(true)
        expect(session.notice).toBeNull()
    })

    it('forgets the user at logout even when the server does not answer', async () => {
        fetchMock.mockResolvedValueOnce(json(200, me()))
        const session = useSessionStore()
        await session.ensureLoaded()
        fetchMock.mockRejectedValueOnce(new TypeError('Failed to fetch'))
        await session.logout()
        expect(fetchMock.mock.calls.at(-1)?.[0]).toBe('/api/v1/auth/logout')
        expect(session.status).toBe('signed-out')
        expect(session.user).toBeNull()
    })

    it('reloads the user after a password change', async () => {
        fetchMock.mockResolvedValueOnce(json(200, me({ must_change_password: true })))
        const session = useSessionStore()
        await session.ensureLoaded()
        expect(session.mustChangePassword).toBe(true)
        fetchMock.mockResolvedValueOnce(json(200, me()))
        await session.passwordChanged()
        expect(session.mustChangePassword).toBe(false)
        expect(session.signedIn).toBe(true)
    })
})
