import type { PoolSize, Round, RoundInput, RoundKind, RoundScopeKind } from '@/api/sampling'

// The round form as typed, and its conversion to the API's body. Times are Unix ms.
export interface RoundForm {
    community_id: number | null
    name: string
    kind: RoundKind
    scope_kind: RoundScopeKind
    grid_ids: number[]
    building_ids: number[]
    people_ids: number[] // a round scoped to a list of people keeps it (not edited here)
    window: [number, number] | null
    pool_size: PoolSize
    single_tube_tags: string[]
    single_tube_control_areas: boolean
    site_ids: number[]
}

const kHour = 60 * 60 * 1000
const kDay = 24 * kHour

// Today 07:00 to 21:00 local time, or tomorrow's when today's has begun.
export function defaultWindow(now: number): [number, number] {
    const start = new Date(now)
    start.setHours(7, 0, 0, 0)
    if (start.getTime() < now) start.setDate(start.getDate() + 1)
    const end = new Date(start)
    end.setHours(21, 0, 0, 0)
    return [start.getTime(), end.getTime()]
}

export function emptyRoundForm(now: number, communityId: number | null = null): RoundForm {
    return {
        community_id: communityId,
        name: '',
        kind: 'whole',
        scope_kind: 'community',
        grid_ids: [],
        building_ids: [],
        people_ids: [],
        window: defaultWindow(now),
        pool_size: 10,
        single_tube_tags: ['elderly_80', 'disabled', 'pregnant', 'infant', 'bedridden'],
        single_tube_control_areas: true,
        site_ids: [],
    }
}

export function roundToForm(round: Round): RoundForm {
    const ids = [...round.scope.ids]
    return {
        community_id: round.community_id,
        name: round.name,
        kind: round.kind,
        scope_kind: round.scope.kind,
        grid_ids: round.scope.kind === 'grids' ? ids : [],
        building_ids: round.scope.kind === 'buildings' ? ids : [],
        people_ids: round.scope.kind === 'people' ? ids : [],
        window: [round.starts_at, round.ends_at],
        pool_size: round.pool_size,
        single_tube_tags: [...round.single_tube_tags],
        single_tube_control_areas: round.single_tube_control_areas,
        site_ids: [...round.site_ids],
    }
}

// The first problem with the form, as an i18n key under rounds.errors and the field it
// concerns, or null when it can be sent.
export function checkRoundForm(form: RoundForm): { field: string; key: string } | null {
    if (!form.community_id) return { field: 'community_id', key: 'community' }
    if (!form.name.trim()) return { field: 'name', key: 'name' }
    if (form.scope_kind === 'grids' && form.grid_ids.length === 0) return { field: 'scope', key: 'grids' }
    if (form.scope_kind === 'buildings' && form.building_ids.length === 0) return { field: 'scope', key: 'buildings' }
    if (!form.window) return { field: 'window', key: 'window' }
    if (form.window[1] <= form.window[0]) return { field: 'window', key: 'windowOrder' }
    return null
}

export function formToRoundInput(form: RoundForm): RoundInput {
    const ids =
        form.scope_kind === 'grids'
            ? form.grid_ids
            : form.scope_kind === 'buildings'
              ? form.building_ids
              : form.scope_kind === 'people'
                ? form.people_ids
                : []
    const [starts, ends] = form.window ?? [0, 0]
    return {
        community_id: form.community_id ?? 0,
        name: form.name.trim(),
        kind: form.kind,
        scope: { kind: form.scope_kind, ids: [...ids] },
        starts_at: starts,
        ends_at: ends,
        pool_size: form.pool_size,
        single_tube_tags: [...form.single_tube_tags],
        single_tube_control_areas: form.single_tube_control_areas,
        site_ids: [...form.site_ids],
    }
}

// A copy plans the next round: the same hours, moved on by whole days (a day for a round of a
// day or less, else as many days as the round lasts), so it starts after this one ends.
export function nextWindow(round: Pick<Round, 'starts_at' | 'ends_at'>): [number, number] {
    const length = Math.max(0, round.ends_at - round.starts_at)
    const days = Math.max(1, Math.ceil(length / kDay))
    const shift = (at: number) => {
        const date = new Date(at)
        date.setDate(date.getDate() + days)
        return date.getTime()
    }
    return [shift(round.starts_at), shift(round.ends_at)]
}

// 「第 3 轮」→「第 4 轮」: the first number in the name counted on; else the name with 「（续）」.
export function nextName(name: string, suffix: string): string {
    const match = name.match(/\d+/)
    if (!match || match.index === undefined) return `${name}${suffix}`
    return name.slice(0, match.index) + String(Number(match[0]) + 1) + name.slice(match.index + match[0].length)
}
