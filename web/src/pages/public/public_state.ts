// The residents' own page's rules (/r/:token), kept apart from the component so they are
// tested alone. Nothing here may need a session.
import { isApiError, kNetworkError } from '@/api/client'
import type { PublicPerson, PublicResult, PublicResults } from '@/api/results'

// What a failed load means to the resident: a wrong, unknown or re-issued code (404, the same
// answer for all), too many requests (429), or anything else (network, server) worth a retry.
export type PublicFailure = 'invalid' | 'later' | 'failed'

export function publicFailure(error: unknown): PublicFailure {
    if (isApiError(error)) {
        if (error.status === 404 || error.status === 400) return 'invalid'
        if (error.status === 429) return 'later'
        if (error.code === kNetworkError) return 'failed'
    }
    return 'failed'
}

// A token as printed on the cards: letters, digits, '-' and '_' only. Anything else is a wrong
// code without asking the server.
export function plausibleToken(token: unknown): token is string {
    return typeof token === 'string' && /^[A-Za-z0-9_-]{8,128}$/.test(token)
}

// Newest sampling first.
export function newestFirst(results: readonly PublicResult[]): PublicResult[] {
    return [...results].sort((a, b) => b.sampled_at - a.sampled_at)
}

export function isPendingRetest(person: PublicPerson): boolean {
    return person.status === 'pending_retest' || person.results.some((r) => r.status === 'pending_retest')
}

// The household's members who must stay home (pending a single-tube retest), by masked name.
export function householdPendingRetest(data: PublicResults): string[] {
    return data.household.filter(isPendingRetest).map((person) => person.name)
}

// A time as the resident reads it: 「11月29日 14:05」 (the year only when not this year).
export function formatWhen(ms: number, locale: string, now = Date.now()): string {
    const sameYear = new Date(ms).getFullYear() === new Date(now).getFullYear()
    return new Intl.DateTimeFormat(locale, {
        year: sameYear ? undefined : 'numeric',
        month: 'short',
        day: 'numeric',
        hour: '2-digit',
        minute: '2-digit',
        hour12: false,
    }).format(new Date(ms))
}
