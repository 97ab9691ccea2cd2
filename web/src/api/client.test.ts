import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

import { api, ApiError, buildUrl, kBadResponse, kNetworkError, onUnauthorized, readCookie } from './client'

type FetchArgs = [string, RequestInit]

function jsonResponse(status: number, body: unknown): Response {
    return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
}

describe('api client', () => {
    let fetchMock: ReturnType<typeof vi.fn>

    beforeEach(() => {
        fetchMock = vi.fn()
        vi.stubGlobal('fetch', fetchMock)
    })
    afterEach(() => {
        vi.unstubAllGlobals()
        document.cookie = 'bulwark_csrf=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/'
    })

    const lastCall = () => fetchMock.mock.calls.at(-1) as FetchArgs
    const headersOf = (init: RequestInit) => init.headers as Record<string, string>

    it('GETs JSON from /api/v1 with the session cookie', async () => {
        fetchMock.mockResolvedValue(jsonResponse(200, { name: 'bulwark' }))
        await expect(api.get('/system/info')).resolves.toEqual({ name: 'bulwark' })
        const [url, init] = lastCall()
        expect(url).toBe('/api/v1/system/info')
        expect(init.method).toBe('GET')
        expect(init.credentials).toBe('same-origin')
        expect(headersOf(init).Accept).toBe('application/json')
        expect(init.body).toBeUndefined()
    })

    it('builds query strings, skipping empty values', () => {
        expect(buildUrl('rounds', { page: 2, q: '雅仕居 3栋', none: undefined, nil: null })).toBe(
            '/api/v1/rounds?page=2&q=%E9%9B%85%E4%BB%95%E5%B1%85+3%E6%A0%8B',
        )
    })

    it('sends JSON bodies and resolves an empty answer to undefined', async () => {
        fetchMock.mockResolvedValue(new Response(null, { status: 204 }))
        await expect(api.post('/rounds', { name: '第 3 轮' })).resolves.toBeUndefined()
        const [, init] = lastCall()
        expect(init.method).toBe('POST')
        expect(headersOf(init)['Content-Type']).toBe('application/json')
        expect(init.body).toBe('{"name":"第 3 轮"}')
    })

    it('attaches the CSRF cookie to state-changing requests only', async () => {
        document.cookie = 'other=1; path=/'
        document.cookie = 'bulwark_csrf=tok%2Ben; path=/'
        expect(readCookie('bulwark_csrf')).toBe('tok+en')
        fetchMock.mockImplementation(async () => jsonResponse(200, {}))
        for (const method of ['post', 'put', 'patch', 'delete'] as const) {
            await (method === 'delete' ? api.delete('/x') : api[method]('/x', {}))
            expect(headersOf(lastCall()[1])['X-CSRF-Token'], method).toBe('tok+en')
        }
        await api.get('/x')
        expect(headersOf(lastCall()[1])['X-CSRF-Token']).toBeUndefined()
    })

    it('sends no CSRF header when there is no cookie', async () => {
        fetchMock.mockResolvedValue(jsonResponse(200, {}))
        await api.post('/x', {})
        expect(headersOf(lastCall()[1])['X-CSRF-Token']).toBeUndefined()
    })

    it('turns the server error body into an ApiError', async () => {
        fetchMock.mockResolvedValue(
            jsonResponse(400, { error: { code: 'invalid_argument', message: '第 37 行 身份证号: 校验位错误', field: 'id_number' } }),
        )
        const error = await api.post('/residents/import', {}).catch((e: unknown) => e)
        expect(error).toBeInstanceOf(ApiError)
        expect(error).toMatchObject({
            status: 400,
            code: 'invalid_argument',
            message: '第 37 行 身份证号: 校验位错误',
            field: 'id_number',
        })
    })

    it('reports a non-JSON error page as bad_response', async () => {
        fetchMock.mockResolvedValue(new Response('<html>502 Bad Gateway</html>', { status: 502 }))
        await expect(api.get('/x')).rejects.toMatchObject({ status: 502, code: kBadResponse, field: null })
    })

    it('reports an unreadable success body as bad_response', async () => {
        fetchMock.mockResolvedValue(new Response('not json', { status: 200 }))
        await expect(api.get('/x')).rejects.toMatchObject({ status: 200, code: kBadResponse })
    })

    it('reports no answer as network_error with status 0', async () => {
        fetchMock.mockRejectedValue(new TypeError('Failed to fetch'))
        await expect(api.get('/x')).rejects.toMatchObject({ status: 0, code: kNetworkError })
    })

    it('passes an abort through unchanged', async () => {
        fetchMock.mockRejectedValue(new DOMException('aborted', 'AbortError'))
        await expect(api.get('/x')).rejects.toMatchObject({ name: 'AbortError' })
    })

    it('tells unauthorized listeners about a 401 and still throws', async () => {
        const seen: string[] = []
        const off = onUnauthorized((event) => seen.push(`${event.method} ${event.path} ${event.error.code}`))
        fetchMock.mockImplementation(async () =>
            jsonResponse(401, { error: { code: 'unauthenticated', message: '请先登录', field: null } }),
        )
        await expect(api.get('/residents')).rejects.toMatchObject({ status: 401 })
        off()
        await expect(api.get('/residents')).rejects.toMatchObject({ status: 401 })
        expect(seen).toEqual(['GET /residents unauthenticated'])
    })

    it('does not emit unauthorized for other errors', async () => {
        const listener = vi.fn()
        const off = onUnauthorized(listener)
        fetchMock.mockResolvedValue(jsonResponse(403, { error: { code: 'permission_denied', message: '无权限' } }))
        await expect(api.get('/x')).rejects.toBeInstanceOf(ApiError)
        off()
        expect(listener).not.toHaveBeenCalled()
    })
})
