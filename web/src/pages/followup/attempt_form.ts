import { kExemptingOutcomes, type AttemptBody, type Outcome } from '@/api/followup'
import { isApiError, kNetworkError } from '@/api/client'
import { newKey } from '@/offline/keys'

// The outcome form of a follow-up attempt: what each outcome asks for, its checks, the body it
// sends, and the idempotency key of each attempt.

export const kMaxNoteLength = 500
export const kMaxPlaceLength = 100
// A phone's clock may run a little ahead of the server's.
const kFutureSlackMs = 5 * 60_000

export interface AttemptDraft {
    outcome: Outcome | ''
    note: string
    place: string
    testedAt: number | null
}

export function emptyDraft(): AttemptDraft {
    return { outcome: '', note: '', place: '', testedAt: null }
}

// Whether the outcome asks where and when the person was tested.
export const needsPlaceAndTime = (outcome: Outcome | '') => outcome === 'tested_elsewhere'
// Whether the outcome asks for a note (what was said, for the next attempt or the street office).
export const needsNote = (outcome: Outcome | '') => outcome === 'refused' || outcome === 'unreachable'
export const isExempting = (outcome: Outcome | '') => outcome !== '' && kExemptingOutcomes.includes(outcome)

// The first problem of the draft as a message key under followup.attempt.problems (with the
// field it concerns), or null when it can be sent.
export function draftProblem(draft: AttemptDraft, now = Date.now()): { field: string; key: string } | null {
    if (!draft.outcome) return { field: 'outcome', key: 'outcome' }
    if (needsPlaceAndTime(draft.outcome)) {
        if (!draft.place.trim()) return { field: 'place', key: 'place' }
        if (draft.place.trim().length > kMaxPlaceLength) return { field: 'place', key: 'placeLong' }
        if (draft.testedAt === null) return { field: 'testedAt', key: 'testedAt' }
        if (draft.testedAt > now + kFutureSlackMs) return { field: 'testedAt', key: 'testedAtFuture' }
    }
    if (needsNote(draft.outcome) && !draft.note.trim()) return { field: 'note', key: 'note' }
    if (draft.note.trim().length > kMaxNoteLength) return { field: 'note', key: 'noteLong' }
    return null
}

// The request body of a draft that has no problem.
export function attemptBody(draft: AttemptDraft): AttemptBody {
    if (!draft.outcome) throw new Error('attemptBody: no outcome')
    const body: AttemptBody = { outcome: draft.outcome, note: draft.note.trim() }
    if (needsPlaceAndTime(draft.outcome)) {
        body.place = draft.place.trim()
        body.tested_at = draft.testedAt ?? undefined
    }
    return body
}

// One idempotency key per attempt. Sending the same attempt again after no answer came (the
// phone lost its signal, the server was busy) reuses its key, so the server records it once;
// once the server has answered, or the attempt is changed, the next send is a new attempt.
export class AttemptKeys {
    private pending: { fingerprint: string; key: string } | null = null

    constructor(private readonly makeKey: () => string = () => newKey()) {}

    keyFor(residentId: number, body: AttemptBody): string {
        const fingerprint = JSON.stringify([residentId, body])
        if (this.pending?.fingerprint !== fingerprint) this.pending = { fingerprint, key: this.makeKey() }
        return this.pending.key
    }

    // After a send: keep the key only when the outcome is unknown (no answer, or the server
    // could not decide: 5xx), so a retry cannot record the attempt twice.
    settled(error: unknown = null): void {
        if (error && isRetryable(error)) return
        this.pending = null
    }
}

export function isRetryable(error: unknown): boolean {
    return isApiError(error) && (error.code === kNetworkError || error.status === 0 || error.status >= 500)
}

// The tel: link for a phone number as the server gave it (digits and a leading +), or null
// (never for a masked number: 138****8000 would dial someone else).
export function telHref(phone: string | null | undefined): string | null {
    if (!phone || phone.includes('*')) return null
    const digits = (phone ?? '').replace(/[^\d+]/g, '')
    if (!/^\+?\d{3,20}$/.test(digits)) return null
    return `tel:${digits}`
}
