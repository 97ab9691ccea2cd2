import { api, ApiError, buildUrl, kBadResponse, kCsrfCookie, kCsrfHeader, kNetworkError, readCookie, type Query } from './client'

// The residents registry (src/registry/registry_api.cpp and the import/export/codes contract of
// issue 4). Times are Unix milliseconds; dates are "yyyy-mm-dd" ("" when unknown). Document
// numbers and phones arrive masked by the server ("110101********1234", "138****5678"); only
// POST residents/:id/unmask returns them whole.

// ---- places ----
export interface BuildingNode {
    id: number
    street_id: number
    community_id: number
    grid_id: number
    name: string
    floors: number
    residents: number
    households: number
}

export interface GridNode {
    id: number
    community_id: number
    name: string
    residents: number
    buildings: BuildingNode[]
}

export interface CommunityNode {
    id: number
    street_id: number
    name: string
    residents: number
    grids: GridNode[]
}

export interface StreetNode {
    id: number
    name: string
    district: string
    residents: number
    communities: CommunityNode[]
}

// The streets down to the buildings the caller may see, with resident counts.
export interface PlaceTree {
    streets: StreetNode[]
}

export type PlaceKind = 'street' | 'community' | 'grid' | 'building'

export function getPlaces(signal?: AbortSignal): Promise<PlaceTree> {
    return api.get<PlaceTree>('/places', { signal })
}

// A new place under `parentId` (none for a street). `extra`: a street's district, a building's
// floors. Resolves to the created place as the server stores it.
export function createPlace(
    kind: PlaceKind,
    parentId: number,
    name: string,
    extra: { district?: string; floors?: number } = {},
): Promise<{ id: number; name: string }> {
    switch (kind) {
        case 'street':
            return api.post('/places/streets', { name, district: extra.district ?? '' })
        case 'community':
            return api.post('/places/communities', { street_id: parentId, name })
        case 'grid':
            return api.post('/places/grids', { community_id: parentId, name })
        case 'building':
            return api.post('/places/buildings', { grid_id: parentId, name, floors: extra.floors ?? 0 })
    }
}

// ---- residents ----
export const kDocTypes = ['id_card', 'passport', 'hk_macau', 'taiwan', 'none'] as const
export type DocType = (typeof kDocTypes)[number]
export const kResidencies = ['permanent', 'floating', 'tenant'] as const
export type Residency = (typeof kResidencies)[number]
export const kPresences = ['present', 'away', 'moved_out'] as const
export type Presence = (typeof kPresences)[number]
// Tags staff set; 60+ and 80+ the server derives from the birth date.
export const kStoredTags = ['disabled', 'pregnant', 'infant', 'bedridden', 'chronic'] as const
export const kDerivedTags = ['elderly_60', 'elderly_80'] as const
export const kTags = [...kDerivedTags, ...kStoredTags] as const
export type Tag = (typeof kTags)[number]
export type Sex = 'male' | 'female' | ''

export interface Resident {
    id: number
    household_id: number
    building_id: number
    grid_id: number
    community_id: number
    street_id: number
    street: string
    community: string
    grid: string
    building: string
    unit: string
    room: string
    name: string
    name_initials: string
    doc_type: DocType
    doc_number: string // masked
    phone: string // masked
    sex: Sex
    birth_date: string
    age: number
    residency: Residency
    presence: Presence
    tags: Tag[]
    notes: string
    code_issued_at: number
    created_at: number
    updated_at: number
    version: number
}

// The list filters, as GET residents takes them (and the exports, which take the same keys).
// A missing or empty one means "any". `q`: a name, pinyin initials, the last 4 characters of a
// document or phone, or a whole document number or phone.
export interface ResidentFilter {
    q?: string
    street_id?: number
    community_id?: number
    grid_id?: number
    building_id?: number
    room?: string
    sort?: 'address' | 'name'
    tag?: string
    presence?: string
}

export interface ResidentPage {
    items: Resident[]
    total: number
    page: number
    page_size: number
}

export function filterQuery(filter: ResidentFilter): Query {
    return {
        q: filter.q?.trim() || undefined,
        street_id: filter.street_id || undefined,
        community_id: filter.community_id || undefined,
        grid_id: filter.grid_id || undefined,
        building_id: filter.building_id || undefined,
        room: filter.room?.trim() || undefined,
        sort: filter.sort && filter.sort !== 'address' ? filter.sort : undefined,
        tag: filter.tag || undefined,
        presence: filter.presence || undefined,
    }
}

export function listResidents(
    filter: ResidentFilter,
    page: number,
    pageSize: number,
    signal?: AbortSignal,
): Promise<ResidentPage> {
    return api.get<ResidentPage>('/residents', { query: { ...filterQuery(filter), page, page_size: pageSize }, signal })
}

export interface DuplicateGroup {
    name: string
    birth_date: string
    members: Resident[]
}

export async function listDuplicates(signal?: AbortSignal): Promise<DuplicateGroup[]> {
    const answer = await api.get<{ groups: DuplicateGroup[] }>('/residents/duplicates', { signal })
    return answer.groups
}

export function getResident(id: number, signal?: AbortSignal): Promise<Resident> {
    return api.get<Resident>(`/residents/${id}`, { signal })
}

// The fields PATCH takes; absent ones stay as they are. A document number or phone is sent
// only when the user typed a new one (the form never holds the stored value).
export interface ResidentPatch {
    name?: string
    doc_type?: DocType
    doc_number?: string
    phone?: string
    sex?: Sex
    birth_date?: string
    building_id?: number
    unit?: string
    room?: string
    residency?: Residency
    presence?: Presence
    tags?: string[]
    notes?: string
}

// Changes the resident if its stored version is still `version`; otherwise rejects with a 422
// ApiError whose field is "version" (see isStaleVersion).
export function updateResident(id: number, version: number, patch: ResidentPatch): Promise<Resident> {
    return api.patch<Resident>(`/residents/${id}`, { ...patch, version })
}

export function isStaleVersion(error: unknown): boolean {
    return error instanceof ApiError && error.status === 422 && error.field === 'version'
}

export interface UnmaskedValues {
    id: number
    doc_number: string
    phone: string
}

// The whole document number and phone; the server audits the read with `reason`.
export function unmaskResident(id: number, reason: string): Promise<UnmaskedValues> {
    return api.post<UnmaskedValues>(`/residents/${id}/unmask`, { reason })
}

// A new personal code; the old one stops working at once.
export function reissueCode(id: number): Promise<{ id: number; code_token: string; code_issued_at: number }> {
    return api.post(`/residents/${id}/code/reissue`)
}

// The QR code of the resident's page link (an <img> source; the session cookie goes along).
// `issuedAt` makes a re-issued code a new address, so no cached image of the old one shows.
export function codeSvgUrl(id: number, issuedAt: number): string {
    return buildUrl(`/residents/${id}/code.svg`, { v: issuedAt || undefined })
}

// A4 cards, one per resident, for a building or a household.
export function cardsPdfUrl(target: { building_id: number } | { household_id: number }): string {
    return buildUrl('/cards.pdf', target)
}

// ---- files: exports and imports ----
export interface Download {
    blob: Blob
    filename: string
}

async function failedResponse(response: Response): Promise<ApiError> {
    let body: { error?: { code?: unknown; message?: unknown; field?: unknown } } | null = null
    try {
        body = await response.json()
    } catch {
        body = null
    }
    const error = body?.error
    if (error && typeof error.code === 'string' && typeof error.message === 'string') {
        return new ApiError(response.status, error.code, error.message, typeof error.field === 'string' ? error.field : null)
    }
    return new ApiError(response.status, kBadResponse, `HTTP ${response.status}`)
}

// The file name from Content-Disposition (filename*=UTF-8'' first, for Chinese names).
export function dispositionFilename(header: string | null, fallback: string): string {
    if (!header) return fallback
    const star = header.match(/filename\*=UTF-8''([^;]+)/i)
    if (star) {
        try {
            return decodeURIComponent(star[1].trim())
        } catch {
            // fall through to the plain name
        }
    }
    const plain = header.match(/filename="([^"]+)"/) ?? header.match(/filename=([^;]+)/)
    return plain ? plain[1].trim() : fallback
}

async function fetchFile(method: 'GET' | 'POST', path: string, query: Query, body: unknown, fallback: string): Promise<Download> {
    const headers: Record<string, string> = { Accept: '*/*' }
    if (body !== undefined) headers['Content-Type'] = 'application/json'
    if (method !== 'GET') {
        const token = readCookie(kCsrfCookie)
        if (token) headers[kCsrfHeader] = token
    }
    let response: Response
    try {
        response = await fetch(buildUrl(path, query), {
            method,
            headers,
            body: body === undefined ? undefined : JSON.stringify(body),
            credentials: 'same-origin',
        })
    } catch (error) {
        throw new ApiError(0, kNetworkError, error instanceof Error ? error.message : String(error))
    }
    if (!response.ok) throw await failedResponse(response)
    return {
        blob: await response.blob(),
        filename: dispositionFilename(response.headers.get('Content-Disposition'), fallback),
    }
}

// The residents `filter` matches as .xlsx, document numbers and phones masked (audited).
export function exportResidents(filter: ResidentFilter): Promise<Download> {
    return fetchFile('GET', '/residents/export.xlsx', filterQuery(filter), undefined, 'residents.xlsx')
}

// The same, unmasked: needs residents.unmask and a reason; audited with it, and the sheet ends
// with a line naming who exported it and when.
export function exportResidentsUnmasked(filter: ResidentFilter, reason: string): Promise<Download> {
    const filters = Object.fromEntries(Object.entries(filterQuery(filter)).filter(([, v]) => v !== undefined))
    return fetchFile('POST', '/residents/export', {}, { filters, unmasked: true, reason }, 'residents.xlsx')
}

// Fields an import column can feed (the server recognises Chinese headers for them).
export const kImportFields = [
    'name',
    'doc_type',
    'doc_number',
    'phone',
    'sex',
    'birth_date',
    'grid',
    'building',
    'unit',
    'room',
    'residency',
    'presence',
    'tags',
    'notes',
] as const
export type ImportField = (typeof kImportFields)[number]

export type ImportStatus = 'parsing' | 'checked' | 'applying' | 'applied' | 'failed'

export interface ImportColumn {
    index: number
    header: string
    field: ImportField | null
}

export interface ImportError {
    row: number
    column: number | string | null // a column index
    field: string | null
    message: string
}

// An import job. Its id is an opaque token; the job lives in the server's memory for about two
// hours after it was last looked at, and only its uploader sees it.
export interface Import {
    id: string
    filename: string
    community_id: number
    status: ImportStatus
    message?: string // why it failed
    progress: { done: number; total: number }
    format?: string // "xlsx", "xls", "csv"
    encoding?: string // a CSV's: "UTF-8", "GB18030"
    sheets: { index: number; name: string }[]
    sheet: number
    header_row: number // 1-based; 0 when no header row was found
    columns: ImportColumn[]
    rows_total: number
    error_count: number
    errors: ImportError[] // the first 500; row 0 for a problem of the whole file
    summary: {
        created: number
        updated: number
        unchanged: number
        grids_created?: number
        buildings_created?: number
        households_created?: number
    }
    created_at: number
    created_by: number | string
}

export const kImportFileTypes = ['.xlsx', '.xls', '.csv'] as const

export interface UploadOptions {
    onProgress?: (loaded: number, total: number) => void
    signal?: AbortSignal
}

// Sends the file's bytes as they are; the server parses and checks it in the background (poll
// getImport). Uses XMLHttpRequest for its upload progress, which fetch does not report.
export function uploadImport(file: File, communityId: number, options: UploadOptions = {}): Promise<Import> {
    return new Promise((resolve, reject) => {
        const xhr = new XMLHttpRequest()
        xhr.open('POST', buildUrl('/imports/residents', { filename: file.name, community_id: communityId }))
        xhr.withCredentials = true
        xhr.setRequestHeader('Accept', 'application/json')
        xhr.setRequestHeader('Content-Type', 'application/octet-stream')
        const token = readCookie(kCsrfCookie)
        if (token) xhr.setRequestHeader(kCsrfHeader, token)
        xhr.upload.onprogress = (event) => {
            if (event.lengthComputable) options.onProgress?.(event.loaded, event.total)
        }
        xhr.onerror = () => reject(new ApiError(0, kNetworkError, 'upload failed'))
        xhr.onabort = () => reject(new DOMException('aborted', 'AbortError'))
        xhr.onload = () => {
            let body: unknown = null
            try {
                body = JSON.parse(xhr.responseText)
            } catch {
                body = null
            }
            if (xhr.status >= 200 && xhr.status < 300 && body && typeof body === 'object') {
                resolve(body as Import)
                return
            }
            const error = (body as { error?: { code?: unknown; message?: unknown; field?: unknown } } | null)?.error
            if (error && typeof error.code === 'string' && typeof error.message === 'string') {
                reject(new ApiError(xhr.status, error.code, error.message, typeof error.field === 'string' ? error.field : null))
            } else {
                reject(new ApiError(xhr.status, kBadResponse, `HTTP ${xhr.status}`))
            }
        }
        options.signal?.addEventListener('abort', () => xhr.abort(), { once: true })
        xhr.send(file)
    })
}

const importPath = (id: string) => `/imports/${encodeURIComponent(id)}`

export function getImport(id: string, signal?: AbortSignal): Promise<Import> {
    return api.get<Import>(importPath(id), { signal })
}

// Another sheet or header row makes the server recognise the columns afresh (a mapping sent
// with it would override that); a mapping alone keeps sheet and header row.
export interface MappingChange {
    mapping?: Record<string, number>
    sheet?: number
    header_row?: number
}

// Re-checks the file with another column mapping, sheet or header row (status "checked" or
// "failed" only).
export function remapImport(id: string, change: MappingChange): Promise<Import> {
    return api.put<Import>(`${importPath(id)}/mapping`, change)
}

// Applies a checked import without errors, all or nothing; progress in getImport.
export function applyImport(id: string): Promise<Import> {
    return api.post<Import>(`${importPath(id)}/apply`)
}

export function importErrorsUrl(id: string): string {
    return buildUrl(`${importPath(id)}/errors.xlsx`)
}
