import type { Resident } from '@/api/registry'

// A household to print cards for, as the codes page offers it: its unit and room and who lives
// there.
export interface HouseholdChoice {
    id: number
    unit: string
    room: string
    names: string[]
}

// The households of `residents`, in the order they come (the server sorts by unit, floor, room).
export function householdsOf(residents: readonly Resident[]): HouseholdChoice[] {
    const byId = new Map<number, HouseholdChoice>()
    for (const r of residents) {
        let household = byId.get(r.household_id)
        if (!household) {
            household = { id: r.household_id, unit: r.unit, room: r.room, names: [] }
            byId.set(r.household_id, household)
        }
        household.names.push(r.name)
    }
    return [...byId.values()]
}
