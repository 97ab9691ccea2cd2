import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

import { ApiError } from './client'
import { applyResultImport, labOverview, listAlerts, listConflicts, listInvalid, listPools, publicResults, requestHomeSampling, resolveConflict, uploadResultImport } from './results'

type FetchArgs = [string, RequestInit]

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })

describe('results API', () => {
    let fetchMock: ReturnType<typeof vi.fn>
    const lastCall = () => fetchMock.mock.calls.at(-1) as FetchArgs

    beforeEach(() => {
        fetchMock = vi.fn()
        vi.stubGlobal('fetch', fetchMock)
        document.cookie = 'bulwark_csrf=tok; path=/'
    })
    afterEach(() => {
        vi.unstubAllGlobals()
        document.cookie = 'bulwark_csrf=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/'
    })

    it('uploads the file as it is, with its name and lab, and the CSRF token', async () => {
        const body = { id: 5, filename: '结果.csv', rows: 1, errors: [], summary: { new: 1, unchanged: 0, conflicts: 0 }, status: 'checked' }
        fetchMock.mockResolvedValue(json(201, body))
        const file = new File(['试管条码,检测结果\nT1,阴性\n'], '结果.csv')
        expect(await uploadResultImport(file, 3)).toEqual(body)
        const [url, init] = lastCall()
        expect(url).toBe(`/api/v1/results/imports?filename=${encodeURIComponent('结果.csv')}&lab_id=3`)
        expect(init.method).toBe('POST')
        expect(init.body).toBe(file)
        expect((init.headers as Record<string, string>)['X-CSRF-Token']).toBe('tok')
    })

    it("turns a refused upload into the server's error", async () => {
        fetchMock.mockResolvedValue(json(413, { error: { code: 'too_large', message: '文件超过 16 MiB', field: null } }))
        const error = await uploadResultImport(new File(['x'], 'r.csv'), 1).catch((e: unknown) => e)
        expect(error).toBeInstanceOf(ApiError)
        expect((error as ApiError).status).toBe(413)
        expect((error as ApiError).message).toBe('文件超过 16 MiB')
        fetchMock.mockRejectedValue(new TypeError('Failed to fetch'))
        expect(((await uploadResultImport(new File(['x'], 'r.csv'), 1).catch((e: unknown) => e)) as ApiError).status).toBe(0)
    })

    it('calls the routes of the contract', async () => {
        fetchMock.mockImplementation(async () => json(200, { items: [], total: 0 }))
        await applyResultImport(5)
        expect(lastCall()[0]).toBe('/api/v1/results/imports/5/apply')
        await listConflicts('open')
        expect(lastCall()[0]).toBe('/api/v1/results/conflicts?status=open')
        await resolveConflict(8, 'replace', '电话核实')
        expect(lastCall()[0]).toBe('/api/v1/results/conflicts/8/resolve')
        expect(JSON.parse(lastCall()[1].body as string)).toEqual({ decision: 'replace', note: '电话核实' })
        await listPools({ status: 'open' })
        expect(lastCall()[0]).toBe('/api/v1/pools?status=open')
        await listInvalid(12)
        expect(lastCall()[0]).toBe('/api/v1/results/invalid?round_id=12')
        await listAlerts()
        expect(lastCall()[0]).toBe('/api/v1/alerts')
        await labOverview(2, 7)
        expect(lastCall()[0]).toBe('/api/v1/lab/overview?lab_id=2&days=7')
        await publicResults('abc/def')
        expect(lastCall()[0]).toBe('/api/v1/public/codes/abc%2Fdef/results')
        await requestHomeSampling('tok123', '')
        expect(lastCall()[0]).toBe('/api/v1/public/codes/tok123/home-sampling')
        expect(JSON.parse(lastCall()[1].body as string)).toEqual({ note: '' })
    })
})
