import type { AuditFilter } from '@/api/auth'

// The audit page's filter form, as typed: empty fields are null.
export interface AuditForm {
    userId: number | null
    subjectKind: string
    subjectId: number | null
    action: string
    from: number | null // Unix ms
    to: number | null // Unix ms, inclusive as picked; the API's `to` is exclusive
}

export function emptyAuditForm(): AuditForm {
    return { userId: null, subjectKind: 'resident', subjectId: null, action: '', from: null, to: null }
}

// The filter to send: a subject id counts only with its kind; the picked end time is included
// (to + 1 ms, as the server's bound is exclusive).
export function toAuditFilter(form: AuditForm): AuditFilter {
    const filter: AuditFilter = {}
    if (form.userId) filter.user_id = form.userId
    if (form.subjectId) {
        filter.subject_kind = form.subjectKind
        filter.subject_id = form.subjectId
    }
    if (form.action.trim()) filter.action = form.action.trim()
    if (form.from) filter.from = form.from
    if (form.to) filter.to = form.to + 1
    return filter
}

// Audit actions the server writes today (src/auth), for the action filter's list; the field
// also takes any other code.
export const kKnownAuditActions = [
    'login',
    'login.failed',
    'login.limited',
    'logout',
    'password.change',
    'password.change_failed',
    'user.create',
    'user.update',
    'user.lock',
    'user.unlock',
    'user.reset_password',
    'user.end_sessions',
    'request.denied',
    'audit.export',
] as const

// Saves a downloaded file under its name, through a temporary link.
export function saveFile(blob: Blob, filename: string): void {
    const url = URL.createObjectURL(blob)
    const link = document.createElement('a')
    link.href = url
    link.download = filename
    document.body.append(link)
    link.click()
    link.remove()
    setTimeout(() => URL.revokeObjectURL(url), 10_000)
}
