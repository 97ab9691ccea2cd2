import type { HealthCodeRequest, HomeSamplingEntry, LastOutcome, MissedItem, PersonRef } from '@/api/followup'

// Small rules of the follow-up lists, apart from the pages so they can be tested.

// The home-sampling list as a sampling team walks it: urgent entries first (as the server sorts
// them), then by building and floor, keeping the server's order inside each group.
export interface FloorGroup {
    floor: number | null
    items: HomeSamplingEntry[]
}
export interface BuildingGroup {
    buildingId: number
    building: string
    floors: FloorGroup[]
}

export function groupHomeSampling(items: HomeSamplingEntry[]): { urgent: HomeSamplingEntry[]; buildings: BuildingGroup[] } {
    const urgent = items.filter((item) => item.urgent)
    const buildings: BuildingGroup[] = []
    for (const item of items) {
        if (item.urgent) continue
        let building = buildings.find((b) => b.buildingId === item.building_id)
        if (!building) {
            building = { buildingId: item.building_id, building: item.building, floors: [] }
            buildings.push(building)
        }
        let floor = building.floors.find((f) => f.floor === item.floor)
        if (!floor) {
            floor = { floor: item.floor, items: [] }
            building.floors.push(floor)
        }
        floor.items.push(item)
    }
    return { urgent, buildings }
}

// "3栋 1单元 502" (the parts that exist).
export function addressText(item: Pick<MissedItem, 'building' | 'unit' | 'room'>): string {
    return [item.building, item.unit, item.room].filter((part) => part && part.trim()).join(' ')
}

// Who a person reference names ("" for none); the server may give a name or {id, name}.
export function personName(person: PersonRef | string | null | undefined): string {
    if (!person) return ''
    return typeof person === 'string' ? person : person.name
}

// The outcome code of a last outcome, whichever shape the list gives it in.
export function outcomeCode(last: LastOutcome | string | null | undefined): string {
    if (!last) return ''
    return typeof last === 'string' ? last : last.outcome
}

// Whether the signed-in user may approve or reject `request`: pending, they hold
// healthcode.approve, and they did not ask for it themselves (the server says 409 same_person).
export function canDecide(request: HealthCodeRequest, userId: number | null | undefined, mayApprove: boolean): boolean {
    return request.status === 'pending' && mayApprove && userId != null && request.requested_by?.id !== userId
}

// A calendar day as the daily report takes it (YYYY-MM-DD), in the browser's time zone.
export function dayText(date: Date = new Date()): string {
    const pad = (n: number) => String(n).padStart(2, '0')
    return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`
}

export function isDayText(text: unknown): text is string {
    if (typeof text !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(text)) return false
    const [y, m, d] = text.split('-').map(Number)
    const date = new Date(y, m - 1, d)
    return date.getFullYear() === y && date.getMonth() === m - 1 && date.getDate() === d
}

// The list after an attempt was recorded for `residentId`: an exempting outcome takes the person
// off at once; otherwise their row shows the new attempt. Keeps the rest as it was.
export function afterAttempt(items: MissedItem[], residentId: number, exempt: boolean, last: LastOutcome, homeSampling: boolean): MissedItem[] {
    if (exempt) return items.filter((item) => item.resident_id !== residentId)
    return items.map((item) =>
        item.resident_id === residentId
            ? { ...item, attempts: item.attempts + 1, last_outcome: last, home_sampling: item.home_sampling || homeSampling }
            : item,
    )
}
