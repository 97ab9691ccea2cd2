import type { LocationQuery, LocationQueryValue } from 'vue-router'

import type { ResidentFilter } from '@/api/registry'

// The resident list's state as the address bar keeps it (/residents?q=张&building=12&page=3),
// so that going back from a resident's page returns to the same list, and a list can be shared.
export interface ListState {
    q: string
    streetId: number
    communityId: number
    gridId: number
    buildingId: number
    room: string
    sort: ResidentSort
    tag: string
    presence: string
    page: number
    pageSize: number
}

// Address order (building, unit, room, then names in pinyin order) or names in pinyin order.
export type ResidentSort = 'address' | 'name'
export const kSorts: readonly ResidentSort[] = ['address', 'name']

export const kPageSizes = [20, 50, 100, 200] as const
export const kDefaultPageSize = 50

export function emptyListState(): ListState {
    return {
        q: '',
        streetId: 0,
        communityId: 0,
        gridId: 0,
        buildingId: 0,
        room: '',
        sort: 'address',
        tag: '',
        presence: '',
        page: 1,
        pageSize: kDefaultPageSize,
    }
}

function first(value: LocationQueryValue | LocationQueryValue[] | undefined): string {
    const text = Array.isArray(value) ? value[0] : value
    return typeof text === 'string' ? text : ''
}

function positive(value: LocationQueryValue | LocationQueryValue[] | undefined, fallback = 0): number {
    const n = Number(first(value))
    return Number.isSafeInteger(n) && n > 0 ? n : fallback
}

// Reads the state from a route's query; anything malformed falls back to its default.
export function fromRouteQuery(query: LocationQuery): ListState {
    const pageSize = positive(query.size, kDefaultPageSize)
    return {
        q: first(query.q).slice(0, 100),
        streetId: positive(query.street),
        communityId: positive(query.community),
        gridId: positive(query.grid),
        buildingId: positive(query.building),
        room: first(query.room).slice(0, 20),
        sort: first(query.sort) === 'name' ? 'name' : 'address',
        tag: first(query.tag),
        presence: first(query.presence),
        page: positive(query.page, 1),
        pageSize: (kPageSizes as readonly number[]).includes(pageSize) ? pageSize : kDefaultPageSize,
    }
}

// The query for the address bar: only what differs from the defaults.
export function toRouteQuery(state: ListState): Record<string, string> {
    const out: Record<string, string> = {}
    if (state.q.trim()) out.q = state.q.trim()
    if (state.streetId) out.street = String(state.streetId)
    if (state.communityId) out.community = String(state.communityId)
    if (state.gridId) out.grid = String(state.gridId)
    if (state.buildingId) out.building = String(state.buildingId)
    if (state.room.trim()) out.room = state.room.trim()
    if (state.sort !== 'address') out.sort = state.sort
    if (state.tag) out.tag = state.tag
    if (state.presence) out.presence = state.presence
    if (state.page > 1) out.page = String(state.page)
    if (state.pageSize !== kDefaultPageSize) out.size = String(state.pageSize)
    return out
}

// The filter for GET residents and the exports. The most precise place wins: a building over
// its grid, a grid over its community, a community over its street.
export function toFilter(state: ListState): ResidentFilter {
    const filter: ResidentFilter = {}
    if (state.q.trim()) filter.q = state.q.trim()
    if (state.buildingId) filter.building_id = state.buildingId
    else if (state.gridId) filter.grid_id = state.gridId
    else if (state.communityId) filter.community_id = state.communityId
    else if (state.streetId) filter.street_id = state.streetId
    if (state.room.trim()) filter.room = state.room.trim()
    if (state.sort !== 'address') filter.sort = state.sort
    if (state.tag) filter.tag = state.tag
    if (state.presence) filter.presence = state.presence
    return filter
}

// Whether any filter narrows the list (the export says "all residents you may see" otherwise).
export function isFiltered(state: ListState): boolean {
    return Object.keys(toFilter(state)).some((key) => key !== 'sort')
}

// What kind of search the text is, for the hint under the search box (the server decides the
// same way: src/registry/registry_service.cpp ApplySearch).
export type SearchKind = 'none' | 'tail' | 'exact' | 'initials' | 'name'

export function searchKind(text: string): SearchKind {
    const folded = text
        .replace(/[\uff01-\uff5e]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
        .replace(/[\s\u3000]/g, '')
        .toUpperCase()
    if (!folded) return 'none'
    if (/^\d{4}$/.test(folded) || /^\d{3}X$/.test(folded)) return 'tail'
    if (folded.length >= 6 && /\d/.test(folded) && /^[0-9A-Z+-]+$/.test(folded)) return 'exact'
    if (/^[A-Z]+$/.test(folded)) return 'initials'
    return 'name'
}
