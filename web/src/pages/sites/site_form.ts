import type { OpeningHours, Site, SiteInput, SiteTable } from '@/api/sampling'

// The site form as typed: one row per weekday (Monday = 1 .. Sunday = 7), each open or closed
// with its hours, and the tables, of which at most one is the priority lane (爱心通道).
export interface DayHours {
    weekday: number
    open: boolean
    from: string // "07:00"
    to: string // "21:00"
}

export interface SiteForm {
    community_id: number | null
    name: string
    address: string
    days: DayHours[]
    tables: SiteTable[]
}

const kTime = /^([01]\d|2[0-3]):[0-5]\d$/

export function defaultDays(): DayHours[] {
    return [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, open: true, from: '07:00', to: '21:00' }))
}

export function emptySiteForm(communityId: number | null = null): SiteForm {
    return {
        community_id: communityId,
        name: '',
        address: '',
        days: defaultDays(),
        tables: [
            { name: '1号台', priority_lane: false },
            { name: '2号台', priority_lane: false },
        ],
    }
}

export function siteToForm(site: Site): SiteForm {
    const days = defaultDays().map((day) => {
        const hours = site.hours.find((h) => h.weekday === day.weekday)
        return hours ? { weekday: day.weekday, open: true, from: hours.open, to: hours.close } : { ...day, open: false }
    })
    return {
        community_id: site.community_id,
        name: site.name,
        address: site.address,
        days,
        tables: site.tables.map((table) => ({ id: table.id, name: table.name, priority_lane: table.priority_lane })),
    }
}

// Monday's hours on every open day.
export function copyFirstDay(days: DayHours[]): DayHours[] {
    const first = days[0]
    return days.map((day) => ({ ...day, open: first.open, from: first.from, to: first.to }))
}

// Makes `index` the priority lane (or none, when it already was): there is at most one.
export function togglePriorityLane(tables: SiteTable[], index: number): SiteTable[] {
    const was = tables[index]?.priority_lane ?? false
    return tables.map((table, i) => ({ ...table, priority_lane: i === index ? !was : false }))
}

export function checkSiteForm(form: SiteForm): { field: string; key: string } | null {
    if (!form.community_id) return { field: 'community_id', key: 'community' }
    if (!form.name.trim()) return { field: 'name', key: 'name' }
    for (const day of form.days) {
        if (!day.open) continue
        if (!kTime.test(day.from) || !kTime.test(day.to)) return { field: 'hours', key: 'time' }
        if (day.to <= day.from) return { field: 'hours', key: 'hoursOrder' }
    }
    if (form.tables.length === 0) return { field: 'tables', key: 'noTables' }
    if (form.tables.some((table) => !table.name.trim())) return { field: 'tables', key: 'tableName' }
    const names = form.tables.map((table) => table.name.trim())
    if (new Set(names).size !== names.length) return { field: 'tables', key: 'tableTwice' }
    if (form.tables.filter((table) => table.priority_lane).length > 1) return { field: 'tables', key: 'oneLane' }
    return null
}

export function formToSiteInput(form: SiteForm): SiteInput {
    const hours: OpeningHours[] = form.days
        .filter((day) => day.open)
        .map((day) => ({ weekday: day.weekday, open: day.from, close: day.to }))
    return {
        community_id: form.community_id ?? 0,
        name: form.name.trim(),
        address: form.address.trim(),
        hours,
        tables: form.tables.map((table) => ({
            ...(table.id ? { id: table.id } : {}),
            name: table.name.trim(),
            priority_lane: table.priority_lane,
        })),
    }
}
