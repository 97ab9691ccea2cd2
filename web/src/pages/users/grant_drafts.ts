import type { Grant, Role, ScopeKind } from '@/api/auth'

// A grant being edited: the scope id may still be empty.
export interface GrantDraft {
    role: Role
    scope_kind: ScopeKind
    scope_id: number | null
}

export function toDrafts(grants: readonly Grant[]): GrantDraft[] {
    return grants.map((g) => ({ ...g }))
}

// The grants to send, or the problem with the drafts: none at all, or a scope id that is not
// a positive whole number.
export function fromDrafts(drafts: readonly GrantDraft[]): Grant[] | 'grantsRequired' | 'scopeIdRequired' {
    if (drafts.length === 0) return 'grantsRequired'
    const grants: Grant[] = []
    for (const d of drafts) {
        if (d.scope_id === null || !Number.isSafeInteger(d.scope_id) || d.scope_id <= 0) return 'scopeIdRequired'
        grants.push({ role: d.role, scope_kind: d.scope_kind, scope_id: d.scope_id })
    }
    return grants
}

// A new row: by default a community worker over the first scope the administrator holds, the
// place they most likely hand out.
export function newDraft(own: readonly Grant[]): GrantDraft {
    const first = own[0]
    return { role: 'staff', scope_kind: first?.scope_kind ?? 'community', scope_id: first?.scope_id ?? null }
}
