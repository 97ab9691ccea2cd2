import { api, ApiError, buildUrl, kBadResponse, kCsrfCookie, kCsrfHeader, kNetworkError, readCookie } from './client'

// Lab results per tube, the pooled-positive procedure, alerts, the lab's overview and the
// residents' own page (src/testing/results, issue 7; the contract is the module's README).
// Times are Unix milliseconds; names come masked.

export const kResultValues = ['negative', 'positive', 'invalid'] as const
export type ResultValue = (typeof kResultValues)[number]

// Ct values as the lab reports them (numbers 0..50), each optional.
export interface Ct {
    orf1ab?: number
    n?: number
}

export interface Paged<T> {
    total: number
    items: T[]
}

// ---- result files: upload (a dry run), look, apply ----
export const kResultFileTypes = ['.csv', '.xlsx'] as const
export const kResultFileMaxMiB = 16

export interface ResultImportError {
    row: number
    column: string | number | null
    message: string // 「第 N 行 列: 原因」
}

export interface ResultSummary {
    new: number
    unchanged: number
    conflicts: number
}

export type ResultImportStatus = 'checked' | 'invalid' | 'applied'

export interface ResultImport {
    id: number | string
    filename: string
    rows: number
    errors: ResultImportError[]
    summary: ResultSummary
    status: ResultImportStatus
}

// Reads an error body {"error":{code,message,field}} into an ApiError; anything else is
// bad_response with the status.
function errorOf(status: number, body: unknown): ApiError {
    const error = (body as { error?: { code?: unknown; message?: unknown; field?: unknown } } | null)?.error
    if (error && typeof error.code === 'string' && typeof error.message === 'string') {
        return new ApiError(status, error.code, error.message, typeof error.field === 'string' ? error.field : null)
    }
    return new ApiError(status, kBadResponse, `HTTP ${status}`)
}

// Sends the file's bytes as they are; the answer is the dry run: every bad row and what
// applying would do. Nothing is written until applyResultImport.
export async function uploadResultImport(file: Blob & { name: string }, labId: number, signal?: AbortSignal): Promise<ResultImport> {
    const headers: Record<string, string> = { Accept: 'application/json', 'Content-Type': 'application/octet-stream' }
    const token = readCookie(kCsrfCookie)
    if (token) headers[kCsrfHeader] = token
    let response: Response
    try {
        response = await fetch(buildUrl('/results/imports', { filename: file.name, lab_id: labId }), {
            method: 'POST',
            headers,
            body: file,
            credentials: 'same-origin',
            signal,
        })
    } catch (error) {
        if (error instanceof DOMException && error.name === 'AbortError') throw error
        throw new ApiError(0, kNetworkError, error instanceof Error ? error.message : String(error))
    }
    let body: unknown = null
    try {
        body = await response.json()
    } catch {
        body = null
    }
    if (response.ok && body && typeof body === 'object') return body as ResultImport
    throw errorOf(response.status, body)
}

export function getResultImport(id: number | string, signal?: AbortSignal): Promise<ResultImport> {
    return api.get<ResultImport>(`/results/imports/${encodeURIComponent(String(id))}`, { signal })
}

// All or nothing; 409 when the file has errors.
export function applyResultImport(id: number | string): Promise<{ summary: ResultSummary; status: 'applied' }> {
    return api.post(`/results/imports/${encodeURIComponent(String(id))}/apply`)
}

// ---- conflicts: a different result for a tube that has one, held for a person ----
export interface RecordedResult {
    result: ResultValue
    reported_at: number
    ct?: Ct | null
}

export type ConflictStatus = 'open' | 'resolved'
export type ConflictDecision = 'keep' | 'replace'

export interface ResultConflict {
    id: number
    tube_barcode: string
    round_id: number
    recorded: RecordedResult
    incoming: RecordedResult
    lab: { id: number; name: string } | null
    created_at: number
    status: ConflictStatus
    resolution: ConflictDecision | null
    resolved_by: string | number | null
    resolved_at: number | null
    note: string | null
}

export function listConflicts(status: ConflictStatus, signal?: AbortSignal): Promise<Paged<ResultConflict>> {
    return api.get<Paged<ResultConflict>>('/results/conflicts', { query: { status }, signal })
}

export function resolveConflict(id: number, decision: ConflictDecision, note: string): Promise<ResultConflict> {
    return api.post<ResultConflict>(`/results/conflicts/${id}/resolve`, { decision, note })
}

// ---- a resident's results (results.read; audited) ----
export interface ResidentResult {
    round_id: number
    round_name: string
    tube_barcode: string
    pool_size: number
    sampled_at: number
    result: ResultValue | null
    reported_at: number | null
    turnaround_minutes: number | null
    status?: MemberStatus | null // the pooled-positive mark this sample carries, if any
}

export async function residentResults(residentId: number, signal?: AbortSignal): Promise<ResidentResult[]> {
    return (await api.get<{ items: ResidentResult[] }>(`/residents/${residentId}/results`, { signal })).items
}

// ---- pooled positive: the procedure ----
export type PoolStatus = 'open' | 'closed'
export type MemberStatus = 'pending_retest' | 'cleared' | 'case'

export interface PoolProcedure {
    id: number
    tube_barcode: string
    round_id: number
    community_id: number
    opened_at: number
    closed_at: number | null
    members_total: number
    pending: number
    cleared: number
    cases: number
    retest_round_id: number | null
}

export interface PoolMember {
    resident_id: number
    name: string
    building: string
    room: string
    status: MemberStatus
    retest: { tube_barcode: string; sampled_at: number; result: ResultValue | null; reported_at: number | null } | null
}

export interface PoolEvent {
    at: number
    action: string
    by: string | number | null
    evidence: unknown
}

export interface PoolDetail extends PoolProcedure {
    members: PoolMember[]
    events: PoolEvent[]
}

export interface PoolFilter {
    status?: PoolStatus
    community_id?: number
}

export function listPools(filter: PoolFilter = {}, signal?: AbortSignal): Promise<Paged<PoolProcedure>> {
    return api.get<Paged<PoolProcedure>>('/pools', { query: { ...filter }, signal })
}

export function getPool(id: number, signal?: AbortSignal): Promise<PoolDetail> {
    return api.get<PoolDetail>(`/pools/${id}`, { signal })
}

// ---- invalid tubes: their members are sampled again ----
export interface InvalidMember {
    tube_barcode: string
    resident_id: number
    name: string
    building: string
    room: string
    resampled: boolean
}

export function listInvalid(roundId: number, signal?: AbortSignal): Promise<Paged<InvalidMember>> {
    return api.get<Paged<InvalidMember>>('/results/invalid', { query: { round_id: roundId }, signal })
}

// ---- alerts for the community's leaders ----
export type AlertKind = 'pooled_positive' | 'result_conflict' | 'case'

export interface Alert {
    kind: AlertKind
    id: number
    community_id: number
    title: string
    at: number
    link: string | null
}

export async function listAlerts(communityId?: number, signal?: AbortSignal): Promise<Alert[]> {
    return (await api.get<{ items: Alert[] }>('/alerts', { query: { community_id: communityId }, signal })).items
}

// ---- the lab's overview ----
export interface LabBoxFigures {
    id: number
    barcode: string
    tubes_sent: number
    tubes_received: number
    handed_over_at: number | null
    received_at: number | null
}

export interface TurnaroundDay {
    date: string
    p50_minutes: number | null
    p90_minutes: number | null
    tubes: number
}

export interface LabOverview {
    lab: { id: number; name: string }
    boxes: LabBoxFigures[]
    pending_tubes: number
    results_today: number
    turnaround: { p50_minutes: number | null; p90_minutes: number | null; by_day: TurnaroundDay[] }
}

export function labOverview(labId: number | undefined, days = 7, signal?: AbortSignal): Promise<LabOverview> {
    return api.get<LabOverview>('/lab/overview', { query: { lab_id: labId, days }, signal })
}

// ---- the residents' own page (public: the personal code's token is the only key) ----
export interface PublicResult {
    round_name: string
    sampled_at: number
    result: ResultValue | null
    reported_at: number | null
    turnaround_minutes: number | null
    status?: MemberStatus | string | null
}

export interface PublicPerson {
    name: string
    status?: MemberStatus | null // the person's mark, e.g. pending_retest: must stay home
    results: PublicResult[]
}

export interface PublicResults {
    resident: PublicPerson
    household: PublicPerson[]
}

const publicPath = (token: string) => `/public/codes/${encodeURIComponent(token)}`

export function publicResults(token: string, signal?: AbortSignal): Promise<PublicResults> {
    return api.get<PublicResults>(`${publicPath(token)}/results`, { signal })
}

export function requestHomeSampling(token: string, note: string): Promise<{ requested: boolean }> {
    return api.post<{ requested: boolean }>(`${publicPath(token)}/home-sampling`, { note })
}
