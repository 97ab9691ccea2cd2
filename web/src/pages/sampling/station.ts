import type { Station } from '@/offline/item'

// What the phone remembers between visits (localStorage): the round, site and table it was set
// to (with their names), and the tube now on the table. Only ids, names of places, a barcode
// and counts: nothing about a person.
export const kStationStorageKey = 'bulwark.sampling.station'
export const kTubeStorageKey = 'bulwark.sampling.tube'

// The tube on the table as this phone knows it.
export interface SavedTube {
    barcode: string
    pool_size: number
    station: Station
    // The key of the open_tube write (to find its verdict in the queue).
    open_key: string
    // The count the server last gave for it outside the queue (resuming after a reload).
    server_count: number
    // Closed by hand on this phone, or known closed.
    closed: boolean
}

function read<T>(key: string, valid: (value: unknown) => value is T): T | null {
    try {
        const text = window.localStorage.getItem(key)
        if (!text) return null
        const value: unknown = JSON.parse(text)
        return valid(value) ? value : null
    } catch {
        return null
    }
}

function write(key: string, value: unknown): void {
    try {
        if (value === null) window.localStorage.removeItem(key)
        else window.localStorage.setItem(key, JSON.stringify(value))
    } catch {
        // Not remembered: the page still works for this visit.
    }
}

const isId = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v > 0

export function isStation(value: unknown): value is Station {
    const s = value as Station | null
    return !!s && isId(s.round_id) && isId(s.site_id) && isId(s.table_id)
}

// The station with what the page shows of it and the round's pool size, so that a reload
// without network still shows where the phone is and opens tubes of the right size.
export interface SavedStation extends Station {
    round_name: string
    site_name: string
    table_name: string
    priority_lane: boolean
    pool_size: number
}

function isSavedStation(value: unknown): value is SavedStation {
    const s = value as SavedStation | null
    return (
        isStation(s) &&
        typeof s.round_name === 'string' &&
        typeof s.site_name === 'string' &&
        typeof s.table_name === 'string' &&
        typeof s.priority_lane === 'boolean' &&
        isId(s.pool_size)
    )
}

function isSavedTube(value: unknown): value is SavedTube {
    const t = value as SavedTube | null
    return (
        !!t &&
        typeof t.barcode === 'string' &&
        isId(t.pool_size) &&
        isStation(t.station) &&
        typeof t.open_key === 'string' &&
        typeof t.server_count === 'number' &&
        typeof t.closed === 'boolean'
    )
}

export const loadStation = (): SavedStation | null => read(kStationStorageKey, isSavedStation)
export const saveStation = (station: SavedStation | null): void => write(kStationStorageKey, station)

export const loadTube = (): SavedTube | null => read(kTubeStorageKey, isSavedTube)
export const saveTube = (tube: SavedTube | null): void => write(kTubeStorageKey, tube)

export function sameStation(a: Station | null, b: Station | null): boolean {
    return !!a && !!b && a.round_id === b.round_id && a.site_id === b.site_id && a.table_id === b.table_id
}
