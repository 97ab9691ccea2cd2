import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

import { ApiError } from './client'
import {
    cardsPdfUrl,
    codeSvgUrl,
    createPlace,
    dispositionFilename,
    exportResidents,
    exportResidentsUnmasked,
    isStaleVersion,
    listResidents,
    remapImport,
    updateResident,
    uploadImport,
} from './registry'

type FetchArgs = [string, RequestInit]

const json = (status: number, body: unknown) =>
    new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })

describe('registry API', () => {
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

    it('lists residents with the filter keys the server reads', async () => {
        fetchMock.mockResolvedValue(json(200, { items: [], total: 0, page: 2, page_size: 50 }))
        await listResidents({ q: ' zs ', building_id: 12, grid_id: 0, tag: '', presence: 'away' }, 2, 50)
        expect(lastCall()[0]).toBe('/api/v1/residents?q=zs&building_id=12&presence=away&page=2&page_size=50')
    })

    it('creates each kind of place under its parent', async () => {
        fetchMock.mockImplementation(async () => json(201, { id: 9, name: 'x' }))
        await createPlace('street', 0, '演示街道', { district: '示例区' })
        expect(lastCall()[0]).toBe('/api/v1/places/streets')
        expect(JSON.parse(lastCall()[1].body as string)).toEqual({ name: '演示街道', district: '示例区' })
        await createPlace('community', 1, '雅仕居社区')
        expect(JSON.parse(lastCall()[1].body as string)).toEqual({ street_id: 1, name: '雅仕居社区' })
        await createPlace('grid', 2, '第一网格')
        expect(JSON.parse(lastCall()[1].body as string)).toEqual({ community_id: 2, name: '第一网格' })
        await createPlace('building', 3, '3栋', { floors: 18 })
        expect(lastCall()[0]).toBe('/api/v1/places/buildings')
        expect(JSON.parse(lastCall()[1].body as string)).toEqual({ grid_id: 3, name: '3栋', floors: 18 })
    })

    it('patches with the version and recognises a stale one', async () => {
        fetchMock.mockResolvedValue(
            json(422, { error: { code: 'failed_precondition', message: '该居民信息已被他人修改, 请刷新后重试', field: 'version' } }),
        )
        const error = await updateResident(7, 3, { room: '1204' }).catch((e: unknown) => e)
        expect(JSON.parse(lastCall()[1].body as string)).toEqual({ room: '1204', version: 3 })
        expect(lastCall()[1].method).toBe('PATCH')
        expect(isStaleVersion(error)).toBe(true)
        expect(isStaleVersion(new ApiError(422, 'invalid_argument', 'x', 'room'))).toBe(false)
    })

    it('exports masked by GET and unmasked by POST with the reason', async () => {
        fetchMock.mockImplementation(
            async () =>
                new Response(new Blob(['xlsx']), {
                    status: 200,
                    headers: { 'Content-Disposition': "attachment; filename=\"residents.xlsx\"; filename*=UTF-8''%E5%B1%85%E6%B0%91.xlsx" },
                }),
        )
        const masked = await exportResidents({ building_id: 12 })
        expect(lastCall()[0]).toBe('/api/v1/residents/export.xlsx?building_id=12')
        expect(lastCall()[1].method).toBe('GET')
        expect(masked.filename).toBe('居民.xlsx')

        await exportResidentsUnmasked({ q: '张', tag: 'infant' }, '核对名册')
        const [url, init] = lastCall()
        expect(url).toBe('/api/v1/residents/export')
        expect(init.method).toBe('POST')
        expect((init.headers as Record<string, string>)['X-CSRF-Token']).toBe('tok')
        expect(JSON.parse(init.body as string)).toEqual({ filters: { q: '张', tag: 'infant' }, unmasked: true, reason: '核对名册' })
    })

    it('turns a refused export into the server error', async () => {
        fetchMock.mockResolvedValue(json(403, { error: { code: 'permission_denied', message: '无权导出完整信息', field: null } }))
        await expect(exportResidentsUnmasked({}, '核对')).rejects.toMatchObject({ status: 403, message: '无权导出完整信息' })
    })

    it('reads file names from Content-Disposition', () => {
        expect(dispositionFilename(null, 'x.xlsx')).toBe('x.xlsx')
        expect(dispositionFilename('attachment; filename="a.xlsx"', 'x')).toBe('a.xlsx')
        expect(dispositionFilename('attachment; filename=b.xlsx', 'x')).toBe('b.xlsx')
        expect(dispositionFilename("attachment; filename*=UTF-8''%E5%90%8D%E5%86%8C.xlsx", 'x')).toBe('名册.xlsx')
    })

    it('addresses QR codes and cards', () => {
        expect(codeSvgUrl(7, 1700)).toBe('/api/v1/residents/7/code.svg?v=1700')
        expect(cardsPdfUrl({ building_id: 4 })).toBe('/api/v1/cards.pdf?building_id=4')
        expect(cardsPdfUrl({ household_id: 70 })).toBe('/api/v1/cards.pdf?household_id=70')
    })

    it('re-checks an import with a new mapping by PUT', async () => {
        fetchMock.mockResolvedValue(json(202, { id: 'k7Q2', status: 'parsing' }))
        await remapImport('k7Q2', { mapping: { name: 1, phone: -1 } })
        expect(lastCall()[0]).toBe('/api/v1/imports/k7Q2/mapping')
        expect(lastCall()[1].method).toBe('PUT')
        expect(JSON.parse(lastCall()[1].body as string)).toEqual({ mapping: { name: 1, phone: -1 } })
    })
})

describe('import upload', () => {
    class FakeXhr {
        static last: FakeXhr
        method = ''
        url = ''
        headers: Record<string, string> = {}
        body: unknown = null
        status = 0
        responseText = ''
        withCredentials = false
        upload: { onprogress: ((e: { lengthComputable: boolean; loaded: number; total: number }) => void) | null } = {
            onprogress: null,
        }
        onload: (() => void) | null = null
        onerror: (() => void) | null = null
        onabort: (() => void) | null = null
        constructor() {
            FakeXhr.last = this
        }
        open(method: string, url: string) {
            this.method = method
            this.url = url
        }
        setRequestHeader(name: string, value: string) {
            this.headers[name] = value
        }
        send(body: unknown) {
            this.body = body
        }
        abort() {
            this.onabort?.()
        }
        answer(status: number, body: unknown) {
            this.status = status
            this.responseText = JSON.stringify(body)
            this.onload?.()
        }
    }

    beforeEach(() => {
        vi.stubGlobal('XMLHttpRequest', FakeXhr)
        document.cookie = 'bulwark_csrf=tok; path=/'
    })
    afterEach(() => {
        vi.unstubAllGlobals()
        document.cookie = 'bulwark_csrf=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/'
    })

    it('sends the raw bytes with the CSRF token and reports progress', async () => {
        const file = new File(['姓名,身份证号\n'], '居民.csv', { type: 'text/csv' })
        const seen: number[] = []
        const pending = uploadImport(file, 2, { onProgress: (loaded) => seen.push(loaded) })
        const xhr = FakeXhr.last
        expect(xhr.method).toBe('POST')
        expect(xhr.url).toBe('/api/v1/imports/residents?filename=%E5%B1%85%E6%B0%91.csv&community_id=2')
        expect(xhr.headers['X-CSRF-Token']).toBe('tok')
        expect(xhr.headers['Content-Type']).toBe('application/octet-stream')
        expect(xhr.body).toBe(file)
        xhr.upload.onprogress?.({ lengthComputable: true, loaded: 5, total: 10 })
        xhr.answer(202, { id: 'k7Q2', status: 'parsing' })
        await expect(pending).resolves.toMatchObject({ id: 'k7Q2', status: 'parsing' })
        expect(seen).toEqual([5])
    })

    it('rejects with the server error', async () => {
        const pending = uploadImport(new File(['x'], 'a.csv'), 2)
        FakeXhr.last.answer(413, { error: { code: 'invalid_argument', message: '文件过大', field: null } })
        await expect(pending).rejects.toMatchObject({ status: 413, message: '文件过大' })
    })

    it('stops when aborted', async () => {
        const controller = new AbortController()
        const pending = uploadImport(new File(['x'], 'a.csv'), 2, { signal: controller.signal })
        controller.abort()
        await expect(pending).rejects.toMatchObject({ name: 'AbortError' })
    })
})
