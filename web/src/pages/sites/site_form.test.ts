import { describe, expect, it } from 'vitest'

import type { Site } from '@/api/sampling'

import { checkSiteForm, copyFirstDay, emptySiteForm, formToSiteInput, siteToForm, togglePriorityLane } from './site_form'

const site: Site = {
    id: 4,
    community_id: 3,
    name: '雅仕居北门采样点',
    address: '雅仕居社区北门广场',
    hours: [
        { weekday: 1, open: '07:00', close: '21:00' },
        { weekday: 6, open: '08:00', close: '12:00' },
    ],
    tables: [
        { id: 1, name: '1号台', priority_lane: false },
        { id: 2, name: '爱心通道', priority_lane: true },
    ],
    version: 3,
}

describe('site form', () => {
    it('goes to the API body and back, closed days left out', () => {
        const form = siteToForm(site)
        expect(form.days.filter((d) => d.open).map((d) => d.weekday)).toEqual([1, 6])
        expect(formToSiteInput(form)).toEqual({
            community_id: 3,
            name: site.name,
            address: site.address,
            hours: site.hours,
            tables: site.tables,
        })
    })

    it('copies Monday to every day', () => {
        const days = copyFirstDay(siteToForm(site).days)
        expect(days.every((d) => d.open && d.from === '07:00' && d.to === '21:00')).toBe(true)
    })

    it('keeps at most one priority lane', () => {
        let tables = togglePriorityLane(site.tables, 0)
        expect(tables.map((t) => t.priority_lane)).toEqual([true, false])
        tables = togglePriorityLane(tables, 0)
        expect(tables.map((t) => t.priority_lane)).toEqual([false, false])
    })

    it('names the first problem', () => {
        const form = emptySiteForm(3)
        expect(checkSiteForm(form)?.key).toBe('name')
        form.name = '南门采样点'
        expect(checkSiteForm(form)).toBeNull()
        form.days[2].to = '06:00'
        expect(checkSiteForm(form)?.key).toBe('hoursOrder')
        form.days[2].to = '7:00pm'
        expect(checkSiteForm(form)?.key).toBe('time')
        form.days[2].open = false
        form.tables = [...form.tables, { name: '1号台', priority_lane: false }]
        expect(checkSiteForm(form)?.key).toBe('tableTwice')
        form.tables = [
            { name: 'A', priority_lane: true },
            { name: 'B', priority_lane: true },
        ]
        expect(checkSiteForm(form)?.key).toBe('oneLane')
        form.tables = []
        expect(checkSiteForm(form)?.key).toBe('noTables')
    })
})
