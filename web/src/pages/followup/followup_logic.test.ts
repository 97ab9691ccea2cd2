import { describe, expect, it } from 'vitest'

import { ApiError } from '@/api/client'
import type { HealthCodeRequest, HomeSamplingEntry, MissedItem, Progress } from '@/api/followup'

import { attemptBody, AttemptKeys, draftProblem, emptyDraft, isExempting, telHref } from './attempt_form'
import { childLevel, drillBack, drillInto, percentText, percentTone, progressPoints, rowKey, siteHourSeries, type DrillStep } from './coverage_view'
import { addressText, afterAttempt, canDecide, dayText, groupHomeSampling, isDayText, outcomeCode, personName } from './followup_lists'
import { fromMissedQuery, missedFilter, toMissedQuery } from './missed_query'

describe('coverage view', () => {
    it('drills from the round down to units and back', () => {
        expect(childLevel('community')).toBe('grid')
        expect(childLevel('grid')).toBe('building')
        expect(childLevel('building')).toBe('unit')
        expect(childLevel('unit')).toBeNull()
        let path: DrillStep[] = [{ level: 'grid', parentId: null, name: '' }]
        path = drillInto(path, { level: 'grid', id: 4, name: '第1网格' })
        path = drillInto(path, { level: 'building', id: 9, name: '3栋' })
        expect(path.map((s) => [s.level, s.parentId])).toEqual([
            ['grid', null],
            ['building', 4],
            ['unit', 9],
        ])
        // A unit has nothing below it.
        expect(drillInto(path, { level: 'unit', id: 1, name: '1单元' })).toBe(path)
        expect(drillBack(path, 0)).toEqual([path[0]])
        expect(drillBack(path, 1)).toEqual(path.slice(0, 2))
        expect(drillBack(path, -3)).toEqual([path[0]])
    })

    it('shows the percentage with one decimal, a dash when nobody is to be sampled', () => {
        expect(percentText({ in_scope: 200, exempt: 10, percent: 97.4 })).toBe('97.4%')
        expect(percentText({ in_scope: 3, exempt: 0, percent: 100 })).toBe('100.0%')
        expect(percentText({ in_scope: 2, exempt: 2, percent: 100 })).toBe('100.0%')
        expect(percentText({ in_scope: 0, exempt: 0, percent: 0 })).toBe('—')
        expect(rowKey({ level: 'unit', id: 9, name: '1单元' })).not.toBe(rowKey({ level: 'unit', id: 9, name: '2单元' }))
        expect([percentTone(95), percentTone(94.9), percentTone(80), percentTone(79.9)]).toEqual(['success', 'warning', 'warning', 'danger'])
    })

    it('turns the progress into a line and per-site bars on the same hours', () => {
        const h = 3_600_000
        const progress: Progress = {
            round_id: 1,
            starts_at: 0,
            ends_at: 10 * h,
            cumulative: [
                { at: 15 * 60_000, sampled: 3 },
                { at: 0, sampled: 0 },
            ],
            per_site_hour: [
                { site_id: 1, site_name: '北门', hours: [{ hour_start: 2 * h, samples: 5 }, { hour_start: 0, samples: 7 }] },
                { site_id: 2, site_name: '南门', hours: [{ hour_start: h, samples: 4 }] },
            ],
        }
        expect(progressPoints(progress)).toEqual([
            [0, 0],
            [15 * 60_000, 3],
        ])
        expect(siteHourSeries(progress)).toEqual({
            hours: [0, h, 2 * h],
            series: [
                { name: '北门', data: [7, 0, 5] },
                { name: '南门', data: [0, 4, 0] },
            ],
        })
    })
})

describe('attempt form', () => {
    const now = Date.UTC(2026, 10, 29, 8)

    it('asks where and when for tested elsewhere, not in the future', () => {
        const draft = { ...emptyDraft(), outcome: 'tested_elsewhere' as const }
        expect(draftProblem(emptyDraft(), now)).toEqual({ field: 'outcome', key: 'outcome' })
        expect(draftProblem(draft, now)).toEqual({ field: 'place', key: 'place' })
        expect(draftProblem({ ...draft, place: '市一医院' }, now)).toEqual({ field: 'testedAt', key: 'testedAt' })
        expect(draftProblem({ ...draft, place: '市一医院', testedAt: now + 3_600_000 }, now)?.key).toBe('testedAtFuture')
        expect(draftProblem({ ...draft, place: '市一医院', testedAt: now - 3_600_000 }, now)).toBeNull()
        expect(draftProblem({ ...draft, place: 'x'.repeat(101), testedAt: now }, now)?.key).toBe('placeLong')
    })

    it('asks for a note when the person refused or could not be reached', () => {
        expect(draftProblem({ ...emptyDraft(), outcome: 'refused' }, now)?.key).toBe('note')
        expect(draftProblem({ ...emptyDraft(), outcome: 'unreachable', note: '  ' }, now)?.key).toBe('note')
        expect(draftProblem({ ...emptyDraft(), outcome: 'unreachable', note: '电话关机' }, now)).toBeNull()
        expect(draftProblem({ ...emptyDraft(), outcome: 'away' }, now)).toBeNull()
        expect(draftProblem({ ...emptyDraft(), outcome: 'away', note: 'x'.repeat(501) }, now)?.key).toBe('noteLong')
    })

    it('sends place and time only for tested elsewhere', () => {
        expect(attemptBody({ outcome: 'away', note: ' 去外地 ', place: '市一医院', testedAt: 5 })).toEqual({ outcome: 'away', note: '去外地' })
        expect(attemptBody({ outcome: 'tested_elsewhere', note: '', place: ' 市一医院 ', testedAt: 5 })).toEqual({
            outcome: 'tested_elsewhere',
            note: '',
            place: '市一医院',
            tested_at: 5,
        })
        expect(() => attemptBody(emptyDraft())).toThrow()
    })

    it('knows which outcomes exempt', () => {
        expect(['tested_elsewhere', 'away', 'moved_out', 'quarantine_or_hospital', 'infant_no_document'].every((o) => isExempting(o as never))).toBe(true)
        expect(['bedridden', 'unreachable', 'refused', ''].some((o) => isExempting(o as never))).toBe(false)
    })

    it('keeps an attempt’s key until the server answered, then starts a new attempt', () => {
        let n = 0
        const keys = new AttemptKeys(() => `key-${++n}-aaaaaaaaaaaaaaaa`)
        const body = { outcome: 'away' as const, note: '' }
        const first = keys.keyFor(7, body)
        // No answer came: the retry is the same attempt.
        keys.settled(new ApiError(0, 'network_error', 'offline'))
        expect(keys.keyFor(7, { ...body })).toBe(first)
        keys.settled(new ApiError(503, 'unavailable', 'busy'))
        expect(keys.keyFor(7, body)).toBe(first)
        // Changed before the retry: another attempt.
        const changed = keys.keyFor(7, { ...body, note: '改了' })
        expect(changed).not.toBe(first)
        // The server answered (a rejection, or success): the next one is new.
        keys.settled(new ApiError(422, 'invalid_argument', 'bad'))
        expect(keys.keyFor(7, { ...body, note: '改了' })).not.toBe(changed)
        const ok = keys.keyFor(8, body)
        keys.settled()
        expect(keys.keyFor(8, body)).not.toBe(ok)
    })

    it('makes tel: links from phone numbers only', () => {
        expect(telHref('13800138000')).toBe('tel:13800138000')
        expect(telHref('+86 138-0013-8000')).toBe('tel:+8613800138000')
        expect(telHref('138****8000')).toBeNull()
        expect(telHref('')).toBeNull()
        expect(telHref(null)).toBeNull()
        expect(telHref('javascript:alert(1)')).toBeNull()
    })
})

function missed(id: number, overrides: Partial<MissedItem> = {}): MissedItem {
    return {
        resident_id: id,
        name: '张*三',
        building_id: 1,
        building: '3栋',
        unit: '1单元',
        room: '502',
        floor: 5,
        phone: '138****8000',
        tags: [],
        grid_id: 1,
        assigned_to: null,
        attempts: 0,
        last_outcome: null,
        home_sampling: false,
        ...overrides,
    }
}

describe('follow-up lists', () => {
    it('takes an exempted person off the list at once and updates the others', () => {
        const list = [missed(1), missed(2)]
        const last = { outcome: 'away' as const, note: '', at: 1, by: null }
        expect(afterAttempt(list, 1, true, last, false).map((i) => i.resident_id)).toEqual([2])
        const bedridden = afterAttempt(list, 2, false, { ...last, outcome: 'bedridden' }, true)
        expect(bedridden[1]).toMatchObject({ attempts: 1, home_sampling: true, last_outcome: { outcome: 'bedridden' } })
        expect(bedridden[0]).toBe(list[0])
    })

    it('groups home sampling urgent first, then by building and floor in the server’s order', () => {
        const entry = (id: number, building_id: number, floor: number | null, urgent = false) =>
            ({ id, building_id, building: `${building_id}栋`, floor, urgent }) as HomeSamplingEntry
        const groups = groupHomeSampling([entry(1, 2, 3, true), entry(2, 1, 1), entry(3, 1, 1), entry(4, 1, 4), entry(5, 2, null)])
        expect(groups.urgent.map((e) => e.id)).toEqual([1])
        expect(groups.buildings.map((b) => [b.building, b.floors.map((f) => [f.floor, f.items.map((e) => e.id)])])).toEqual([
            ['1栋', [[1, [2, 3]], [4, [4]]]],
            ['2栋', [[null, [5]]]],
        ])
    })

    it('hides approve and reject on one’s own request and on decided ones', () => {
        const request = { status: 'pending', requested_by: { id: 5, name: '王' } } as HealthCodeRequest
        expect(canDecide(request, 6, true)).toBe(true)
        expect(canDecide(request, 5, true)).toBe(false)
        expect(canDecide(request, 6, false)).toBe(false)
        expect(canDecide(request, null, true)).toBe(false)
        expect(canDecide({ ...request, status: 'approved' }, 6, true)).toBe(false)
    })

    it('writes addresses, names and outcomes whatever shape they come in', () => {
        expect(addressText({ building: '3栋', unit: '', room: '502' })).toBe('3栋 502')
        expect(personName({ id: 1, name: '李网格' })).toBe('李网格')
        expect(personName('李网格')).toBe('李网格')
        expect(personName(null)).toBe('')
        expect(outcomeCode({ outcome: 'away', note: '', at: 0, by: null })).toBe('away')
        expect(outcomeCode('refused')).toBe('refused')
        expect(outcomeCode(null)).toBe('')
    })

    it('reads and writes report days', () => {
        expect(dayText(new Date(2026, 0, 5))).toBe('2026-01-05')
        expect(isDayText('2026-02-28')).toBe(true)
        expect(isDayText('2026-02-30')).toBe(false)
        expect(isDayText('2026-2-3')).toBe(false)
        expect(isDayText(undefined)).toBe(false)
    })
})

describe('missed list query', () => {
    it('round-trips the filters through the address bar, dropping defaults and nonsense', () => {
        const state = fromMissedQuery({ round: '3', grid: '2', building: 'x', tag: 'elderly_80', assigned: '-1', page: '2', size: '100' })
        expect(state).toEqual({ round: 3, grid: 2, building: null, tag: 'elderly_80', assigned: null, page: 2, pageSize: 100 })
        expect(toMissedQuery(state)).toEqual({ round: '3', grid: '2', tag: 'elderly_80', page: '2', size: '100' })
        expect(fromMissedQuery({ size: '7' }).pageSize).toBe(50)
        expect(toMissedQuery(fromMissedQuery({}))).toEqual({})
        expect(missedFilter(state)).toEqual({ grid_id: 2, building_id: undefined, tag: 'elderly_80', assigned_to: undefined })
    })
})
