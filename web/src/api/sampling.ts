import { api, ApiError, buildUrl, kCsrfCookie, kCsrfHeader, readCookie } from './client'

// Testing rounds, sampling sites, tubes, boxes and live figures (src/testing, issue 5; the
// routes are listed in src/testing/README.md). Times are Unix milliseconds; every state-changing
// sampling call carries an idempotency `key` made on the phone (offline/keys.ts).

// ---- places (the registry's tree, for choosing a community and a round's grids/buildings) ----
export interface PlaceBuilding {
    id: number
    name: string
    grid_id: number
    community_id: number
}
export interface PlaceGrid {
    id: number
    name: string
    community_id: number
    buildings: PlaceBuilding[]
}
export interface PlaceCommunity {
    id: number
    name: string
    street_id: number
    grids: PlaceGrid[]
}
export interface PlaceStreet {
    id: number
    name: string
    communities: PlaceCommunity[]
}

export async function listPlaces(signal?: AbortSignal): Promise<PlaceStreet[]> {
    const answer = await api.get<{ streets: PlaceStreet[] }>('/places', { signal })
    return answer.streets
}

// ---- labs ----
export interface Lab {
    id: number
    name: string
}

export async function listLabs(signal?: AbortSignal): Promise<Lab[]> {
    return (await api.get<{ items: Lab[] }>('/labs', { signal })).items
}

// ---- sites ----
export interface OpeningHours {
    weekday: number // 1 = Monday .. 7 = Sunday
    open: string // "07:00"
    close: string // "21:00"
}

export interface SiteTable {
    id?: number // absent for a table not saved yet
    name: string
    priority_lane: boolean
}

export interface Site {
    id: number
    community_id: number
    name: string
    address: string
    hours: OpeningHours[]
    tables: (SiteTable & { id: number })[]
    version: number
}

export interface SiteInput {
    community_id: number
    name: string
    address: string
    hours: OpeningHours[]
    tables: SiteTable[]
}

export async function listSites(communityId?: number, signal?: AbortSignal): Promise<Site[]> {
    return (await api.get<{ items: Site[] }>('/sites', { query: { community_id: communityId }, signal })).items
}

export function getSite(id: number, signal?: AbortSignal): Promise<Site> {
    return api.get<Site>(`/sites/${id}`, { signal })
}

export function createSite(input: SiteInput): Promise<Site> {
    return api.post<Site>('/sites', input)
}

export function updateSite(id: number, input: SiteInput, version: number): Promise<Site> {
    return api.patch<Site>(`/sites/${id}`, { ...input, version })
}

// ---- rounds ----
export const kRoundKinds = ['whole', 'key_groups', 'follow_up'] as const
export type RoundKind = (typeof kRoundKinds)[number]
export const kScopeKinds = ['community', 'grids', 'buildings', 'people'] as const
export type RoundScopeKind = (typeof kScopeKinds)[number]
export const kPoolSizes = [1, 5, 10, 20] as const
export type PoolSize = (typeof kPoolSizes)[number]
export type RoundStatus = 'planned' | 'open' | 'closed'
// The registry's tag names that can call for a single tube (registry/model.hpp).
export const kSingleTubeTags = ['elderly_80', 'elderly_60', 'disabled', 'pregnant', 'infant', 'bedridden', 'chronic'] as const

export interface RoundScope {
    kind: RoundScopeKind
    ids: number[]
}

export interface RoundInput {
    community_id: number
    name: string
    kind: RoundKind
    scope: RoundScope
    starts_at: number
    ends_at: number
    pool_size: PoolSize
    single_tube_tags: string[]
    single_tube_control_areas: boolean
    site_ids: number[]
}

export interface Round extends RoundInput {
    id: number
    status: RoundStatus
    version: number
    sample_count: number
}

export interface RoundFilter {
    community_id?: number
    status?: RoundStatus
}

export async function listRounds(filter: RoundFilter = {}, signal?: AbortSignal): Promise<Round[]> {
    return (await api.get<{ items: Round[] }>('/rounds', { query: { ...filter }, signal })).items
}

export function getRound(id: number, signal?: AbortSignal): Promise<Round> {
    return api.get<Round>(`/rounds/${id}`, { signal })
}

export function createRound(input: RoundInput): Promise<Round> {
    return api.post<Round>('/rounds', input)
}

export function updateRound(id: number, input: RoundInput, version: number): Promise<Round> {
    return api.patch<Round>(`/rounds/${id}`, { ...input, version })
}

export function copyRound(id: number, copy: { name: string; starts_at: number; ends_at: number }): Promise<Round> {
    return api.post<Round>(`/rounds/${id}/copy`, copy)
}

export function closeRound(id: number): Promise<Round> {
    return api.post<Round>(`/rounds/${id}/close`)
}

// ---- tubes and scans (the hot path; the page sends these through offline/queue.ts) ----
export type TubeStatus = 'open' | 'closed'

export interface Tube {
    id: number
    round_id: number
    site_id: number
    table_id: number
    barcode: string
    pool_size: number
    count: number
    status: TubeStatus
    opened_at: number
    closed_at: number | null
    box_id: number | null
}

export interface TubeMember {
    sample_id: number
    name_masked: string
    scanned_at: number
}

export interface OpenTubeBody {
    key: string
    round_id: number
    site_id: number
    table_id: number
    barcode: string
    pool_size?: number
}

// Exactly one of `code` (the personal code token) and `resident_id` (from a lookup or a
// floating registration).
export interface ScanBody {
    key: string
    tube_barcode: string
    code?: string
    resident_id?: number
    scanned_at?: number
}

// A tube is closed by its barcode in the queue: a tube opened offline has no id yet.
export interface CloseTubeBody {
    key: string
    tube_barcode: string
    tube_id?: number
}

export interface ScanWarning {
    code: string
    message: string
}

export interface ScanAnswer {
    sample: { id: number; round_id: number; tube_barcode: string; site_id: number; table_id: number; scanned_at: number }
    resident: { id: number; name_masked: string; age_group?: string }
    tube: Pick<Tube, 'id' | 'barcode' | 'pool_size' | 'count' | 'status'>
    warnings: ScanWarning[]
}

export type BatchKind = 'open_tube' | 'scan' | 'close_tube'

export type BatchItem =
    | ({ kind: 'open_tube' } & OpenTubeBody)
    | ({ kind: 'scan' } & ScanBody)
    | ({ kind: 'close_tube' } & CloseTubeBody)

// One item's answer: its HTTP status and the body it would have had alone (an error body
// {"error":{...}} for a rejection).
export interface BatchResult {
    key: string
    status: number
    body: unknown
}

// The raw outcome of a write the queue sends: the status (0 = no answer), Retry-After in ms
// when the server gave one, and the parsed body (null when none or not JSON).
export interface RawAnswer {
    status: number
    retryAfterMs: number | null
    body: unknown
}

// Retry-After as seconds or an HTTP date; null when absent or unreadable.
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
    if (!value) return null
    const text = value.trim()
    if (/^\d+$/.test(text)) return Number(text) * 1000
    const at = Date.parse(text)
    return Number.isNaN(at) ? null : Math.max(0, at - now)
}

// POSTs `body` and returns what came back without throwing for HTTP errors: the queue needs
// the status and Retry-After of a 503 and the bodies of rejections. A network failure is
// status 0. 401 still reaches the app's session handling through api.get (see sync.ts).
export async function postRaw(path: string, body: unknown, signal?: AbortSignal): Promise<RawAnswer> {
    const headers: Record<string, string> = { Accept: 'application/json', 'Content-Type': 'application/json' }
    const token = readCookie(kCsrfCookie)
    if (token) headers[kCsrfHeader] = token
    let response: Response
    try {
        response = await fetch(buildUrl(path), {
            method: 'POST',
            headers,
            body: JSON.stringify(body),
            credentials: 'same-origin',
            signal,
        })
    } catch (error) {
        if (error instanceof DOMException && error.name === 'AbortError') throw error
        return { status: 0, retryAfterMs: null, body: null }
    }
    let parsed: unknown = null
    try {
        const text = await response.text()
        parsed = text === '' ? null : JSON.parse(text)
    } catch {
        parsed = null
    }
    return { status: response.status, retryAfterMs: parseRetryAfter(response.headers.get('Retry-After')), body: parsed }
}

// The path and body of one queued write when sent alone.
export function singleRequest(item: BatchItem): { path: string; body: unknown } {
    const { kind, ...body } = item
    if (kind === 'open_tube') return { path: '/sampling/tubes', body }
    if (kind === 'scan') return { path: '/sampling/scans', body }
    const close = body as CloseTubeBody
    if (close.tube_id) return { path: `/sampling/tubes/${close.tube_id}/close`, body: { key: close.key } }
    return { path: '/sampling/batch', body: { items: [item] } }
}

export function getTube(id: number, signal?: AbortSignal): Promise<Tube & { members: TubeMember[] }> {
    return api.get<Tube & { members: TubeMember[] }>(`/sampling/tubes/${id}`, { signal })
}

// The table's open tube, or null when it has none (to resume after a reload).
export async function getOpenTube(tableId: number, signal?: AbortSignal): Promise<Tube | null> {
    try {
        return await api.get<Tube>(`/sampling/tables/${tableId}/open-tube`, { signal })
    } catch (error) {
        if (error instanceof ApiError && error.status === 404) return null
        throw error
    }
}

// ---- people without a code (online only: nothing of this goes into the queue) ----
export interface LookupHit {
    resident_id: number
    name_masked: string
    building: string
    room: string
}

export async function lookupByDocument(roundId: number, docNumber: string, signal?: AbortSignal): Promise<LookupHit[]> {
    const query = { round_id: roundId, doc_number: docNumber }
    return (await api.get<{ items: LookupHit[] }>('/sampling/lookup', { query, signal })).items
}

export async function lookupByAddress(
    roundId: number,
    name: string,
    buildingId: number,
    room: string,
    signal?: AbortSignal,
): Promise<LookupHit[]> {
    const query = { round_id: roundId, name, building_id: buildingId, room }
    return (await api.get<{ items: LookupHit[] }>('/sampling/lookup', { query, signal })).items
}

export interface LookupBuilding {
    id: number
    name: string
    grid?: string
}

// The buildings a scanner may name in a lookup (the round's community).
export async function listLookupBuildings(roundId: number, signal?: AbortSignal): Promise<LookupBuilding[]> {
    const query = { round_id: roundId }
    return (await api.get<{ items: LookupBuilding[] }>('/sampling/buildings', { query, signal })).items
}

export const kDocTypes = ['id_card', 'passport', 'hk_macau', 'taiwan', 'none'] as const
export type DocType = (typeof kDocTypes)[number]

export interface FloatingInput {
    key: string
    round_id: number
    site_id: number
    name: string
    doc_type: DocType
    doc_number?: string
    phone: string
    building_id?: number
    room?: string
}

export function registerFloating(input: FloatingInput): Promise<{ resident_id: number; name_masked: string }> {
    return api.post<{ resident_id: number; name_masked: string }>('/sampling/floating', input)
}

// ---- boxes ----
export type BoxStatus = 'open' | 'sealed' | 'handed_over' | 'received'

export interface Box {
    id: number
    round_id: number
    site_id: number
    barcode: string
    status: BoxStatus
    tube_count: number
    sealed_at: number | null
    lab_id: number | null
    handed_over_at: number | null
    received_at: number | null
    tubes?: { id?: number; barcode: string; count?: number; pool_size?: number }[]
}

export async function listBoxes(roundId: number, siteId: number, signal?: AbortSignal): Promise<Box[]> {
    const query = { round_id: roundId, site_id: siteId }
    return (await api.get<{ items: Box[] }>('/sampling/boxes', { query, signal })).items
}

export function getBox(id: number, signal?: AbortSignal): Promise<Box> {
    return api.get<Box>(`/sampling/boxes/${id}`, { signal })
}

export function createBox(body: { key: string; round_id: number; site_id: number; barcode: string }): Promise<Box> {
    return api.post<Box>('/sampling/boxes', body)
}

export function addTubeToBox(boxId: number, body: { key: string; tube_barcode: string }): Promise<Box> {
    return api.post<Box>(`/sampling/boxes/${boxId}/tubes`, body)
}

export function sealBox(boxId: number, key: string): Promise<Box> {
    return api.post<Box>(`/sampling/boxes/${boxId}/seal`, { key })
}

export function handOverBox(boxId: number, key: string, labId: number): Promise<Box> {
    return api.post<Box>(`/sampling/boxes/${boxId}/handover`, { key, lab_id: labId })
}

// ---- the lab ----
export interface Receipt {
    box: Box
    received: number
    sent: number
    missing: string[]
    unexpected: string[]
}

// Boxes handed to the user's lab; with `barcode`, the one box of that barcode.
export async function listLabBoxes(barcode?: string, signal?: AbortSignal): Promise<Box[]> {
    return (await api.get<{ items: Box[] }>('/lab/boxes', { query: { barcode }, signal })).items
}

export function submitReceipt(boxId: number, key: string, tubeBarcodes: string[]): Promise<Receipt> {
    return api.post<Receipt>(`/lab/boxes/${boxId}/receipt`, { key, tube_barcodes: tubeBarcodes })
}

// ---- live figures ----
export interface LiveFigures {
    today: number
    this_hour: number
    tubes_open: number
    tubes_closed: number
}

export interface LiveTable extends LiveFigures {
    table_id: number
    name: string
    priority_lane: boolean
}

export interface LiveSite extends LiveFigures {
    site_id: number
    name: string
    tables: LiveTable[]
}

export interface Live {
    round: { id: number; name: string; sample_count: number }
    sites: LiveSite[]
    as_of: number
}

export function getLive(roundId: number, signal?: AbortSignal): Promise<Live> {
    return api.get<Live>('/sampling/live', { query: { round_id: roundId }, signal })
}
