import { api, ApiError, buildUrl, kBadResponse, kNetworkError, type Query } from './client'

// Accounts, sessions and the audit log (src/auth/*_api.cpp). Times are Unix milliseconds.

export const kRoles = ['administrator', 'staff', 'grid_worker', 'data_verifier', 'scanner', 'lab'] as const
export type Role = (typeof kRoles)[number]
export const kScopeKinds = ['street', 'community', 'grid', 'site', 'lab'] as const
export type ScopeKind = (typeof kScopeKinds)[number]

// A role granted over one place: a street covers its communities, a community its grids.
export interface Grant {
    role: Role
    scope_kind: ScopeKind
    scope_id: number
}

export interface User {
    id: number
    username: string
    display_name: string
    locked: boolean
    must_change_password: boolean
    created_at: number
    updated_at: number
    grants: Grant[]
}

// Who is signed in: GET auth/me and POST auth/login. `permissions` is every permission any of
// the user's grants gives (menu entries and pages are shown by it; the server checks again).
export interface Me {
    user: User
    permissions: string[]
    csrf_token: string
}

// ---- the session ----
export function login(username: string, password: string): Promise<Me> {
    return api.post<Me>('/auth/login', { username, password })
}

export function getMe(signal?: AbortSignal): Promise<Me> {
    return api.get<Me>('/auth/me', { signal })
}

export function logout(): Promise<void> {
    return api.post<void>('/auth/logout')
}

export function changePassword(oldPassword: string, newPassword: string): Promise<void> {
    return api.post<void>('/auth/password', { old_password: oldPassword, new_password: newPassword })
}

// ---- user administration (users.manage) ----
export interface NewUser {
    username: string
    display_name: string
    grants: Grant[]
}

export interface UserPatch {
    display_name?: string
    grants?: Grant[]
    locked?: boolean
}

export async function listUsers(signal?: AbortSignal): Promise<User[]> {
    const answer = await api.get<{ items: User[] }>('/users', { signal })
    return answer.items
}

// Creates the account with a random password, returned once (the user must change it at the
// first sign-in).
export function createUser(user: NewUser): Promise<{ user: User; password: string }> {
    return api.post<{ user: User; password: string }>('/users', user)
}

export function updateUser(id: number, patch: UserPatch): Promise<User> {
    return api.patch<User>(`/users/${id}`, patch)
}

// Sets a random password (returned once), which must be changed at the next sign-in, and ends
// the user's sessions.
export async function resetPassword(id: number): Promise<string> {
    const answer = await api.post<{ password: string }>(`/users/${id}/reset-password`)
    return answer.password
}

// Signs the user out everywhere; resolves to the number of sessions ended.
export async function endSessions(id: number): Promise<number> {
    const answer = await api.delete<{ ended: number }>(`/users/${id}/sessions`)
    return answer.ended
}

// ---- the audit log (audit.read, audit.export) ----
export interface AuditRow {
    id: number
    at: number
    user_id: number
    username: string
    role: string
    scope: string
    action: string
    subject_kind: string
    subject_id: number
    reason: string
    detail: string
    client_address: string
    request_id: string
}

// Filters; a missing or empty one means "any". `to` is exclusive.
export interface AuditFilter {
    user_id?: number
    subject_kind?: string
    subject_id?: number
    action?: string
    from?: number
    to?: number
}

export interface AuditPage {
    items: AuditRow[]
    total: number
    page: number
    page_size: number
}

function auditQuery(filter: AuditFilter): Query {
    return {
        user_id: filter.user_id || undefined,
        subject_kind: filter.subject_kind || undefined,
        subject_id: filter.subject_id || undefined,
        action: filter.action || undefined,
        from: filter.from || undefined,
        to: filter.to || undefined,
    }
}

export function searchAudit(
    filter: AuditFilter,
    page: number,
    pageSize: number,
    signal?: AbortSignal,
): Promise<AuditPage> {
    return api.get<AuditPage>('/audit', { query: { ...auditQuery(filter), page, page_size: pageSize }, signal })
}

export type ExportFormat = 'csv' | 'xlsx'

export interface Download {
    blob: Blob
    filename: string
}

// Fetches the export of every row matching `filter` (the server writes an audit row for it).
// Failures reject with ApiError like every other call.
export async function exportAudit(filter: AuditFilter, format: ExportFormat): Promise<Download> {
    let response: Response
    try {
        response = await fetch(buildUrl('/audit/export', { ...auditQuery(filter), format }), {
            credentials: 'same-origin',
        })
    } catch (error) {
        throw new ApiError(0, kNetworkError, error instanceof Error ? error.message : String(error))
    }
    if (!response.ok) {
        let body: { error?: { code?: unknown; message?: unknown; field?: unknown } } | null = null
        try {
            body = await response.json()
        } catch {
            body = null
        }
        const error = body?.error
        if (error && typeof error.code === 'string' && typeof error.message === 'string') {
            throw new ApiError(response.status, error.code, error.message, typeof error.field === 'string' ? error.field : null)
        }
        throw new ApiError(response.status, kBadResponse, `HTTP ${response.status}`)
    }
    const disposition = response.headers.get('Content-Disposition') ?? ''
    const match = disposition.match(/filename="([^"]+)"/)
    return { blob: await response.blob(), filename: match ? match[1] : `audit.${format}` }
}
