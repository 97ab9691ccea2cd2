import type { BatchKind } from '@/api/sampling'

// What an answer from the server means for one queued write:
//   accepted  stored (201/200), perhaps with warnings; done.
//   rejected  refused for good (already sampled, tube closed, unknown code, ...): nothing was
//             stored, and a retry with the same key would get the same answer; done.
//   retry     no verdict yet (no answer, 408, 429, 5xx): keep it and send it again later.
//   auth      the session is gone (401): keep it, and send it once someone signs in again.
export type Verdict =
    | { kind: 'accepted'; status: number; warnings: string[]; tube?: TubeAnswer }
    | { kind: 'rejected'; status: number; code: string; message: string }
    | { kind: 'retry'; status: number }
    | { kind: 'auth'; status: number }

export interface TubeAnswer {
    id?: number
    count?: number
    status?: 'open' | 'closed'
}

function errorOf(body: unknown): { code: string; message: string } {
    const error = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error
    return {
        code: typeof error?.code === 'string' ? error.code : 'unknown',
        message: typeof error?.message === 'string' ? error.message : '',
    }
}

function tubeOf(kind: BatchKind, body: unknown): TubeAnswer | undefined {
    const source = kind === 'scan' ? (body as { tube?: unknown } | null)?.tube : body
    if (!source || typeof source !== 'object') return undefined
    const tube = source as { id?: unknown; count?: unknown; status?: unknown }
    return {
        id: typeof tube.id === 'number' ? tube.id : undefined,
        count: typeof tube.count === 'number' ? tube.count : undefined,
        status: tube.status === 'open' || tube.status === 'closed' ? tube.status : undefined,
    }
}

export function isTransient(status: number): boolean {
    return status === 0 || status === 408 || status === 429 || status >= 500
}

export function verdictOf(kind: BatchKind, status: number, body: unknown): Verdict {
    if (status >= 200 && status < 300) {
        const list = (body as { warnings?: unknown } | null)?.warnings
        const warnings = Array.isArray(list)
            ? list.map((w) => (w as { code?: unknown })?.code).filter((c): c is string => typeof c === 'string')
            : []
        return { kind: 'accepted', status, warnings, tube: tubeOf(kind, body) }
    }
    if (status === 401) return { kind: 'auth', status }
    if (isTransient(status)) return { kind: 'retry', status }
    const error = errorOf(body)
    // Closing a tube that is already closed (it closed itself when full) is what was wanted.
    if (kind === 'close_tube' && error.code === 'tube_closed') {
        return { kind: 'accepted', status, warnings: [], tube: { status: 'closed' } }
    }
    return { kind: 'rejected', status, code: error.code, message: error.message }
}
