import type { LocationQuery } from 'vue-router'

import type { MissedFilter } from '@/api/followup'

// The missed list's state in the address bar (?round=&grid=&building=&tag=&assigned=&page=&size=),
// so a filtered list can be reloaded, shared and gone back to.
export const kMissedPageSizes = [20, 50, 100, 200] as const

export interface MissedState {
    round: number | null
    grid: number | null
    building: number | null
    tag: string
    assigned: number | null
    page: number
    pageSize: number
}

function one(value: LocationQuery[string]): string {
    const text = Array.isArray(value) ? value[0] : value
    return typeof text === 'string' ? text : ''
}

function positive(value: LocationQuery[string]): number | null {
    const n = Number(one(value))
    return Number.isInteger(n) && n > 0 ? n : null
}

export function fromMissedQuery(query: LocationQuery): MissedState {
    const size = positive(query.size)
    return {
        round: positive(query.round),
        grid: positive(query.grid),
        building: positive(query.building),
        tag: one(query.tag),
        assigned: positive(query.assigned),
        page: positive(query.page) ?? 1,
        pageSize: size && (kMissedPageSizes as readonly number[]).includes(size) ? size : 50,
    }
}

export function toMissedQuery(state: MissedState): Record<string, string> {
    const out: Record<string, string> = {}
    if (state.round) out.round = String(state.round)
    if (state.grid) out.grid = String(state.grid)
    if (state.building) out.building = String(state.building)
    if (state.tag) out.tag = state.tag
    if (state.assigned) out.assigned = String(state.assigned)
    if (state.page > 1) out.page = String(state.page)
    if (state.pageSize !== 50) out.size = String(state.pageSize)
    return out
}

export function missedFilter(state: MissedState): MissedFilter {
    return {
        grid_id: state.grid ?? undefined,
        building_id: state.building ?? undefined,
        tag: state.tag || undefined,
        assigned_to: state.assigned ?? undefined,
    }
}
