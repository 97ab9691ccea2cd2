import { api, ApiError, buildUrl, kBadResponse, kCsrfCookie, kCsrfHeader, kNetworkError, readCookie, type Query } from './client'

// Coverage of a round and the follow-up of the people it missed (src/testing/followup, issue 6;
// the contract is the API note). Times are Unix milliseconds. Names and phones come
// masked (张*三, 138****5678) except the phone the reveal route gives for a tel: link.

// ---- coverage ----
export const kCoverageLevels = ['community', 'grid', 'building', 'unit'] as const
export type CoverageLevel = (typeof kCoverageLevels)[number]

export interface CoverageFigures {
    in_scope: number
    sampled: number
    exempt: number
    missed: number
    percent: number
}

export interface CoverageRow extends CoverageFigures {
    level: CoverageLevel
    id: number
    name: string
}

export interface Coverage {
    round_id: number
    as_of: number
    totals: CoverageFigures
    rows: CoverageRow[]
}

export function getCoverage(
    roundId: number,
    level: CoverageLevel,
    parentId?: number | null,
    signal?: AbortSignal,
): Promise<Coverage> {
    const query = { level, parent_id: parentId ?? undefined }
    return api.get<Coverage>(`/rounds/${roundId}/coverage`, { query, signal })
}

export interface StreetCoverageRow extends CoverageFigures {
    community_id: number
    name: string
    round_id: number | null
    round_name: string | null
}

export interface StreetCoverage {
    street_id: number
    as_of: number
    rows: StreetCoverageRow[]
}

export function getStreetCoverage(streetId: number, signal?: AbortSignal): Promise<StreetCoverage> {
    return api.get<StreetCoverage>(`/streets/${streetId}/coverage`, { signal })
}

export interface Progress {
    round_id: number
    starts_at: number
    ends_at: number
    cumulative: { at: number; sampled: number }[]
    per_site_hour: { site_id: number; site_name: string; hours: { hour_start: number; samples: number }[] }[]
}

export function getProgress(roundId: number, signal?: AbortSignal): Promise<Progress> {
    return api.get<Progress>(`/rounds/${roundId}/progress`, { signal })
}

// ---- the missed list and follow-up ----
export const kOutcomes = [
    'tested_elsewhere',
    'away',
    'moved_out',
    'quarantine_or_hospital',
    'bedridden',
    'infant_no_document',
    'unreachable',
    'refused',
] as const
export type Outcome = (typeof kOutcomes)[number]
// Outcomes that take the person out of "missed" at once (the rest keep them on the list).
export const kExemptingOutcomes: readonly Outcome[] = [
    'tested_elsewhere',
    'away',
    'moved_out',
    'quarantine_or_hospital',
    'infant_no_document',
]

export interface PersonRef {
    id: number
    name: string
}

export interface LastOutcome {
    outcome: Outcome
    note: string
    at: number
    by: PersonRef | string | null
}

export interface MissedItem {
    resident_id: number
    name: string
    building_id: number
    building: string
    unit: string
    room: string
    floor: number | null
    phone: string
    tags: string[]
    grid_id: number
    assigned_to: PersonRef | null
    attempts: number
    last_outcome: LastOutcome | null
    home_sampling: boolean
}

export interface Page<T> {
    total: number
    items: T[]
}

export interface MissedFilter {
    grid_id?: number
    building_id?: number
    tag?: string
    assigned_to?: number
}

export function missedQuery(filter: MissedFilter): Query {
    return {
        grid_id: filter.grid_id || undefined,
        building_id: filter.building_id || undefined,
        tag: filter.tag || undefined,
        assigned_to: filter.assigned_to || undefined,
    }
}

export function listMissed(
    roundId: number,
    filter: MissedFilter,
    page: number,
    pageSize: number,
    signal?: AbortSignal,
): Promise<Page<MissedItem>> {
    const query = { ...missedQuery(filter), page, page_size: pageSize }
    return api.get<Page<MissedItem>>(`/rounds/${roundId}/missed`, { query, signal })
}

export function assignFollowups(roundId: number, residentIds: number[], userId: number): Promise<{ assigned: number }> {
    return api.post<{ assigned: number }>(`/rounds/${roundId}/followups/assign`, { resident_ids: residentIds, user_id: userId })
}

export function listMine(roundId: number, page: number, pageSize: number, signal?: AbortSignal): Promise<Page<MissedItem>> {
    return api.get<Page<MissedItem>>(`/rounds/${roundId}/followups/mine`, { query: { page, page_size: pageSize }, signal })
}

export interface Attempt {
    id: number
    outcome: Outcome
    note: string
    place: string | null
    tested_at: number | null
    at: number
    by: PersonRef | null
}

export interface FollowupDetail {
    resident: MissedItem
    attempts: Attempt[]
}

export function getFollowup(roundId: number, residentId: number, signal?: AbortSignal): Promise<FollowupDetail> {
    return api.get<FollowupDetail>(`/rounds/${roundId}/followups/${residentId}`, { signal })
}

export interface AttemptBody {
    outcome: Outcome
    note: string
    place?: string
    tested_at?: number
}

export interface AttemptAnswer {
    attempt: Attempt
    exempt: boolean
    missed_total: number
}

// Records one attempt. `key` is the attempt's idempotency key: a retry of the same attempt (after
// no answer came) sends the same key and gets the first answer back.
export function recordAttempt(roundId: number, residentId: number, body: AttemptBody, key: string): Promise<AttemptAnswer> {
    return api.post<AttemptAnswer>(`/rounds/${roundId}/followups/${residentId}/attempts`, body, {
        headers: { 'Idempotency-Key': key },
    })
}

// The resident's phone in full, for a tel: link (audited each time).
export async function revealPhone(roundId: number, residentId: number): Promise<string> {
    return (await api.post<{ phone: string }>(`/rounds/${roundId}/followups/${residentId}/phone`)).phone
}

// ---- home sampling ----
export const kHomeSamplingReasons = ['bedridden', 'pooled_positive', 'invalid_tube', 'requested'] as const
export type HomeSamplingReason = (typeof kHomeSamplingReasons)[number]

export interface HomeSamplingEntry {
    id: number
    resident_id: number
    name: string
    building_id: number
    building: string
    unit: string
    room: string
    floor: number | null
    reason: HomeSamplingReason
    urgent: boolean
    source: string
    round_id: number | null
    requested_at: number
    done_at: number | null
    sample: { round_id: number; tube_barcode: string; at: number } | null
}

export interface HomeSamplingFilter {
    community_id?: number
    status?: 'open' | 'done'
}

export function listHomeSampling(
    filter: HomeSamplingFilter,
    page: number,
    pageSize: number,
    signal?: AbortSignal,
): Promise<Page<HomeSamplingEntry>> {
    const query = { community_id: filter.community_id || undefined, status: filter.status, page, page_size: pageSize }
    return api.get<Page<HomeSamplingEntry>>('/home-sampling', { query, signal })
}

export function addHomeSampling(residentId: number, note: string): Promise<HomeSamplingEntry> {
    return api.post<HomeSamplingEntry>('/home-sampling', { resident_id: residentId, note })
}

// ---- across rounds ----
export interface RepeatedMiss {
    resident_id: number
    name: string
    building: string
    room: string
    grid_id: number
    missed_rounds: number
    rounds: { id: number; name: string; starts_at: number }[]
    last_outcome: Outcome | LastOutcome | null
}

export function listRepeatedMisses(
    communityId: number,
    minRounds: number,
    page: number,
    pageSize: number,
    signal?: AbortSignal,
): Promise<Page<RepeatedMiss>> {
    const query = { min_rounds: minRounds, page, page_size: pageSize }
    return api.get<Page<RepeatedMiss>>(`/communities/${communityId}/repeated-misses`, { query, signal })
}

export const kHealthCodes = ['green', 'yellow', 'red'] as const
export type HealthCode = (typeof kHealthCodes)[number]
export type HealthCodeRequestStatus = 'pending' | 'approved' | 'rejected'

export interface HealthCodeRequest {
    id: number
    resident_id: number
    name: string
    from_status: HealthCode | 'unknown'
    to_status: HealthCode
    reason: string
    evidence: string
    requested_by: PersonRef
    requested_at: number
    decided_by: PersonRef | null
    decided_at: number | null
    decision_note: string | null
    status: HealthCodeRequestStatus
}

export interface HealthCodeRequestFilter {
    community_id?: number
    status?: HealthCodeRequestStatus
}

// `community_id` is required by the server.
export function listHealthCodeRequests(filter: HealthCodeRequestFilter, signal?: AbortSignal): Promise<Page<HealthCodeRequest>> {
    const query = { community_id: filter.community_id || undefined, status: filter.status || undefined }
    return api.get<Page<HealthCodeRequest>>('/health-code-requests', { query, signal })
}

export interface HealthCodeRequestBody {
    resident_id: number
    to_status: HealthCode
    reason: string
    evidence: string
}

export function requestHealthCode(body: HealthCodeRequestBody): Promise<HealthCodeRequest> {
    return api.post<HealthCodeRequest>('/health-code-requests', body)
}

export function decideHealthCode(id: number, decision: 'approve' | 'reject', note: string): Promise<HealthCodeRequest> {
    return api.post<HealthCodeRequest>(`/health-code-requests/${id}/${decision}`, { note })
}

export interface HealthCodeState {
    status: HealthCode | 'unknown'
    since: number | null
    history: HealthCodeRequest[]
}

export function getHealthCode(residentId: number, signal?: AbortSignal): Promise<HealthCodeState> {
    return api.get<HealthCodeState>(`/residents/${residentId}/health-code`, { signal })
}

// ---- the daily report ----
export interface DailyReport {
    community_id: number
    date: string
    rounds: ({ id: number; name: string } & CoverageFigures)[]
    samples_per_site: { site_id: number; name: string; samples: number; tubes: number }[]
    missed_by_reason: { outcome: Outcome | string; count: number }[]
    followups_done: number
    home_sampling: { open: number; done: number }
}

export function getDailyReport(communityId: number, date: string, signal?: AbortSignal): Promise<DailyReport> {
    return api.get<DailyReport>(`/communities/${communityId}/daily-report`, { query: { date }, signal })
}

// ---- files ----
export interface Download {
    blob: Blob
    filename: string
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

async function fileError(response: Response): Promise<ApiError> {
    try {
        const body = (await response.json()) as { error?: { code?: unknown; message?: unknown; field?: unknown } }
        const error = body?.error
        if (error && typeof error.code === 'string' && typeof error.message === 'string') {
            return new ApiError(response.status, error.code, error.message, typeof error.field === 'string' ? error.field : null)
        }
    } catch {
        // not the server's JSON error body
    }
    return new ApiError(response.status, kBadResponse, `HTTP ${response.status}`)
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
    if (!response.ok) throw await fileError(response)
    return { blob: await response.blob(), filename: dispositionFilename(response.headers.get('Content-Disposition'), fallback) }
}

// The missed list as .xlsx, one sheet per building, names and phones masked.
export function exportMissed(roundId: number, filter: MissedFilter): Promise<Download> {
    const query = missedQuery({ ...filter, assigned_to: undefined })
    return fetchFile('GET', `/rounds/${roundId}/missed.xlsx`, query, undefined, 'missed.xlsx')
}

// The same unmasked: needs residents.unmask and a reason; audited, and the file names who
// exported it and when.
export function exportMissedUnmasked(roundId: number, filter: MissedFilter, reason: string): Promise<Download> {
    const filters = Object.fromEntries(Object.entries(missedQuery({ ...filter, assigned_to: undefined })).filter(([, v]) => v !== undefined))
    return fetchFile('POST', `/rounds/${roundId}/missed/export`, {}, { filters, unmasked: true, reason }, 'missed.xlsx')
}

export function downloadDailyReport(communityId: number, date: string): Promise<Download> {
    return fetchFile('GET', `/communities/${communityId}/daily-report.xlsx`, { date }, undefined, `daily-report-${date}.xlsx`)
}
