import { describe, expect, it } from 'vitest'

import { emptyListState, fromRouteQuery, isFiltered, searchKind, toFilter, toRouteQuery } from './resident_query'

describe('resident list query', () => {
    it('reads the address bar, ignoring what is malformed', () => {
        expect(fromRouteQuery({})).toEqual(emptyListState())
        expect(
            fromRouteQuery({ q: '张', grid: '3', building: '12', tag: 'elderly_80', presence: 'away', page: '4', size: '100' }),
        ).toEqual({ ...emptyListState(), q: '张', gridId: 3, buildingId: 12, tag: 'elderly_80', presence: 'away', page: 4, pageSize: 100 })
        expect(fromRouteQuery({ street: '1', community: '2', room: '1203', sort: 'name' })).toEqual({
            ...emptyListState(),
            streetId: 1,
            communityId: 2,
            room: '1203',
            sort: 'name',
        })
        expect(fromRouteQuery({ sort: 'age' }).sort).toBe('address')
        expect(fromRouteQuery({ grid: '-1', building: 'x', page: '0', size: '7' })).toEqual(emptyListState())
        expect(fromRouteQuery({ q: ['李', '王'] }).q).toBe('李')
        expect(fromRouteQuery({ q: 'x'.repeat(300) }).q).toHaveLength(100)
    })

    it('writes only what differs from the defaults, and reads it back the same', () => {
        expect(toRouteQuery(emptyListState())).toEqual({})
        const state = { ...emptyListState(), q: ' zs ', buildingId: 12, tag: 'infant', page: 2, pageSize: 20 }
        const query = toRouteQuery(state)
        expect(query).toEqual({ q: 'zs', building: '12', tag: 'infant', page: '2', size: '20' })
        expect(fromRouteQuery(query)).toEqual({ ...state, q: 'zs' })
        const byName = { ...emptyListState(), communityId: 2, room: ' 1203 ', sort: 'name' as const }
        expect(toRouteQuery(byName)).toEqual({ community: '2', room: '1203', sort: 'name' })
    })

    it('builds the API filter: a building wins over its grid, empty means any', () => {
        expect(toFilter(emptyListState())).toEqual({})
        expect(toFilter({ ...emptyListState(), gridId: 3 })).toEqual({ grid_id: 3 })
        expect(toFilter({ ...emptyListState(), gridId: 3, buildingId: 12, q: ' 1234 ', presence: 'present' })).toEqual({
            building_id: 12,
            q: '1234',
            presence: 'present',
        })
        expect(toFilter({ ...emptyListState(), streetId: 1, communityId: 2 })).toEqual({ community_id: 2 })
        expect(toFilter({ ...emptyListState(), streetId: 1, room: '1203', sort: 'name' })).toEqual({
            street_id: 1,
            room: '1203',
            sort: 'name',
        })
        expect(isFiltered(emptyListState())).toBe(false)
        expect(isFiltered({ ...emptyListState(), sort: 'name' })).toBe(false)
        expect(isFiltered({ ...emptyListState(), room: '1203' })).toBe(true)
        expect(isFiltered({ ...emptyListState(), page: 3 })).toBe(false)
        expect(isFiltered({ ...emptyListState(), tag: 'pregnant' })).toBe(true)
    })

    it('tells what kind of search the text is, as the server decides', () => {
        expect(searchKind('  ')).toBe('none')
        expect(searchKind('5678')).toBe('tail')
        expect(searchKind('５６７８')).toBe('tail')
        expect(searchKind('123x')).toBe('tail')
        expect(searchKind('13800138000')).toBe('exact')
        expect(searchKind('990101199001011234')).toBe('exact')
        expect(searchKind('zs')).toBe('initials')
        expect(searchKind('Z S')).toBe('initials')
        expect(searchKind('张三')).toBe('name')
        expect(searchKind('123')).toBe('name')
    })
})
