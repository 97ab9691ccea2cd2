// The results pages' rules, kept apart from the components so they are tested alone.
import type { Alert, Ct, PoolProcedure, ResultImport, ResultImportError, ResultValue } from '@/api/results'

// The tag colour of a result: positive is the one that must stand out.
export function resultTagType(result: ResultValue | null | undefined): 'success' | 'danger' | 'warning' | 'info' {
    if (result === 'negative') return 'success'
    if (result === 'positive') return 'danger'
    if (result === 'invalid') return 'warning'
    return 'info'
}

// Minutes as hours and minutes, for 「2 小时 5 分钟」; null for none or a negative value.
export function splitMinutes(minutes: number | null | undefined): { hours: number; minutes: number } | null {
    if (minutes === null || minutes === undefined || !Number.isFinite(minutes) || minutes < 0) return null
    const whole = Math.round(minutes)
    return { hours: Math.floor(whole / 60), minutes: whole % 60 }
}

// Ct values as one line, 「ORF1ab 31.2 · N 30.1」; '' when none.
export function ctText(ct: Ct | null | undefined): string {
    if (!ct) return ''
    const parts: string[] = []
    if (typeof ct.orf1ab === 'number') parts.push(`ORF1ab ${ct.orf1ab}`)
    if (typeof ct.n === 'number') parts.push(`N ${ct.n}`)
    return parts.join(' · ')
}

// A file's bad rows in row order (a problem of the whole file, row 0, first); the server's
// message already says 「第 N 行 列: 原因」.
export function sortedImportErrors(errors: readonly ResultImportError[]): ResultImportError[] {
    return [...errors].sort((a, b) => a.row - b.row)
}

// What the wizard shows for an answer of the dry run or the apply.
export type ImportStep = 'choose' | 'invalid' | 'checked' | 'applied'

export function importStep(imp: ResultImport | null): ImportStep {
    if (!imp) return 'choose'
    if (imp.status === 'applied') return 'applied'
    if (imp.status === 'invalid' || imp.errors.length > 0) return 'invalid'
    return 'checked'
}

export function canApplyImport(imp: ResultImport | null): boolean {
    return importStep(imp) === 'checked' && imp !== null && imp.summary.new + imp.summary.conflicts > 0
}

// Whether a file's name and size may be sent (the server takes .csv and .xlsx up to maxMiB);
// returns the problem, or null when fine.
export function fileProblem(name: string, size: number, types: readonly string[], maxMiB: number): 'type' | 'size' | null {
    const lower = name.toLowerCase()
    if (!types.some((ext) => lower.endsWith(ext))) return 'type'
    if (size > maxMiB * 1024 * 1024) return 'size'
    return null
}

// The page an alert leads to: the server's link when it is a path of this app (the server
// names a procedure `/pools/N`, which this app shows at /results/pools/N), else the page of
// its kind.
export function alertLink(alert: Alert): string {
    const link = alert.link
    const pool = typeof link === 'string' ? /^\/pools\/(\d+)$/.exec(link) : null
    if (pool) return `/results/pools/${pool[1]}`
    if (typeof link === 'string' && link.startsWith('/') && !link.startsWith('//') && !link.startsWith('/\\') && !link.startsWith('/api/')) {
        return link
    }
    if (alert.kind === 'pooled_positive') return `/results/pools/${alert.id}`
    if (alert.kind === 'result_conflict') return '/results/conflicts'
    return '/results/pools'
}

// The share of a procedure's members that are settled (cleared or a case), 0..100.
export function poolPercent(pool: Pick<PoolProcedure, 'members_total' | 'cleared' | 'cases'>): number {
    if (pool.members_total <= 0) return 100
    return Math.round(((pool.cleared + pool.cases) / pool.members_total) * 100)
}

// An event's evidence as short `key: value` lines for the table (objects one level deep,
// anything deeper as JSON); a time (`…_at`, Unix ms) through `time` when given.
export function evidenceLines(evidence: unknown, time?: (ms: number) => string): string[] {
    if (evidence === null || evidence === undefined || evidence === '') return []
    if (typeof evidence !== 'object') return [String(evidence)]
    if (Array.isArray(evidence)) return evidence.map((item) => (typeof item === 'object' ? JSON.stringify(item) : String(item)))
    return Object.entries(evidence as Record<string, unknown>).map(([key, value]) => {
        if (time && key.endsWith('_at') && typeof value === 'number' && value > 0) return `${key}: ${time(value)}`
        const text = value !== null && typeof value === 'object' ? JSON.stringify(value) : String(value)
        return `${key}: ${text}`
    })
}

// Tubes sent but not received in a box (0 when all came, or when it was not received yet).
export function boxShortfall(box: { tubes_sent: number; tubes_received: number; received_at: number | null }): number {
    if (!box.received_at) return 0
    return Math.max(0, box.tubes_sent - box.tubes_received)
}

// Where a round's progress is seen, for the link from a procedure to its retest round: the
// round's coverage page (issue 6) when it exists and the user may open it, else the live
// figures, else nothing. Both read `?round=`.
export function roundLink(
    roundId: number | null | undefined,
    sections: readonly { key: string; path: string; page?: unknown; permission?: string }[],
    can: (permission: string) => boolean,
): { path: string; query: { round: string } } | null {
    if (!roundId) return null
    for (const key of ['roundCoverage', 'live']) {
        const section = sections.find((s) => s.key === key && s.page !== undefined)
        if (section && (!section.permission || can(section.permission))) return { path: section.path, query: { round: String(roundId) } }
    }
    return null
}
