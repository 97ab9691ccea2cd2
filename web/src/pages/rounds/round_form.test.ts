import { describe, expect, it } from 'vitest'

import type { Round } from '@/api/sampling'

import { checkRoundForm, defaultWindow, emptyRoundForm, formToRoundInput, nextName, nextWindow, roundToForm } from './round_form'

const at = (text: string) => new Date(text).getTime()

const round: Round = {
    id: 7,
    community_id: 3,
    name: '雅仕居社区第 3 轮全员核酸',
    kind: 'whole',
    scope: { kind: 'grids', ids: [11, 12] },
    starts_at: at('2022-04-01T07:00:00'),
    ends_at: at('2022-04-01T21:00:00'),
    pool_size: 10,
    single_tube_tags: ['elderly_80'],
    single_tube_control_areas: true,
    site_ids: [5],
    status: 'closed',
    version: 2,
    sample_count: 6000,
}

describe('round form', () => {
    it('starts with today 07:00–21:00, or tomorrow once today has begun', () => {
        expect(defaultWindow(at('2022-04-01T06:00:00'))).toEqual([at('2022-04-01T07:00:00'), at('2022-04-01T21:00:00')])
        expect(defaultWindow(at('2022-04-01T08:00:00'))).toEqual([at('2022-04-02T07:00:00'), at('2022-04-02T21:00:00')])
    })

    it('goes to the API body and back', () => {
        const form = roundToForm(round)
        expect(form.grid_ids).toEqual([11, 12])
        const input = formToRoundInput(form)
        expect(input).toEqual({
            community_id: 3,
            name: round.name,
            kind: 'whole',
            scope: { kind: 'grids', ids: [11, 12] },
            starts_at: round.starts_at,
            ends_at: round.ends_at,
            pool_size: 10,
            single_tube_tags: ['elderly_80'],
            single_tube_control_areas: true,
            site_ids: [5],
        })
        expect(formToRoundInput({ ...form, scope_kind: 'community' }).scope).toEqual({ kind: 'community', ids: [] })
    })

    it('names the first problem', () => {
        const form = emptyRoundForm(at('2022-04-01T06:00:00'), 3)
        expect(checkRoundForm(form)).toEqual({ field: 'name', key: 'name' })
        form.name = '第 1 轮'
        expect(checkRoundForm(form)).toBeNull()
        form.scope_kind = 'buildings'
        expect(checkRoundForm(form)?.key).toBe('buildings')
        form.building_ids = [1]
        form.window = [10, 5]
        expect(checkRoundForm(form)?.key).toBe('windowOrder')
        expect(checkRoundForm({ ...form, community_id: null })?.key).toBe('community')
    })

    it('plans the next round on the following day with the next number', () => {
        expect(nextWindow(round)).toEqual([at('2022-04-02T07:00:00'), at('2022-04-02T21:00:00')])
        expect(nextWindow({ starts_at: at('2022-04-01T00:00:00'), ends_at: at('2022-04-03T00:00:00') })).toEqual([
            at('2022-04-03T00:00:00'),
            at('2022-04-05T00:00:00'),
        ])
        expect(nextName(round.name, '（续）')).toBe('雅仕居社区第 4 轮全员核酸')
        expect(nextName('重点人群核酸', '（续）')).toBe('重点人群核酸（续）')
    })
})
