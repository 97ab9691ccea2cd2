import { describe, expect, it } from 'vitest'

import type { Alert, ResultImport } from '@/api/results'

import {
    alertLink,
    boxShortfall,
    canApplyImport,
    ctText,
    evidenceLines,
    fileProblem,
    importStep,
    poolPercent,
    resultTagType,
    roundLink,
    sortedImportErrors,
    splitMinutes,
} from './results_format'

const imp = (overrides: Partial<ResultImport> = {}): ResultImport => ({
    id: 1,
    filename: 'r.csv',
    rows: 3,
    errors: [],
    summary: { new: 2, unchanged: 1, conflicts: 0 },
    status: 'checked',
    ...overrides,
})

describe('results format', () => {
    it('colours a positive result as danger and a missing one as info', () => {
        expect(resultTagType('negative')).toBe('success')
        expect(resultTagType('positive')).toBe('danger')
        expect(resultTagType('invalid')).toBe('warning')
        expect(resultTagType(null)).toBe('info')
    })

    it('splits minutes into hours and minutes, refusing nonsense', () => {
        expect(splitMinutes(125)).toEqual({ hours: 2, minutes: 5 })
        expect(splitMinutes(59.6)).toEqual({ hours: 1, minutes: 0 })
        expect(splitMinutes(0)).toEqual({ hours: 0, minutes: 0 })
        expect(splitMinutes(null)).toBeNull()
        expect(splitMinutes(-3)).toBeNull()
        expect(splitMinutes(Number.NaN)).toBeNull()
    })

    it('writes Ct values on one line', () => {
        expect(ctText({ orf1ab: 31.2, n: 30.1 })).toBe('ORF1ab 31.2 · N 30.1')
        expect(ctText({ n: 28 })).toBe('N 28')
        expect(ctText(null)).toBe('')
        expect(ctText({})).toBe('')
    })

    it('orders bad rows by row, a problem of the whole file first', () => {
        const sorted = sortedImportErrors([
            { row: 7, column: '检测结果', message: '第 7 行 检测结果: 无法识别「阳」' },
            { row: 0, column: null, message: '缺少列: 试管条码' },
            { row: 3, column: '试管条码', message: '第 3 行 试管条码: 未知的试管' },
        ])
        expect(sorted.map((e) => e.row)).toEqual([0, 3, 7])
    })

    it('tells the wizard step: a file with errors cannot be applied, an applied one is done', () => {
        expect(importStep(null)).toBe('choose')
        expect(importStep(imp())).toBe('checked')
        expect(canApplyImport(imp())).toBe(true)
        const bad = imp({ status: 'invalid', errors: [{ row: 2, column: 'result', message: '第 2 行 result: 无法识别' }] })
        expect(importStep(bad)).toBe('invalid')
        expect(canApplyImport(bad)).toBe(false)
        // An error listed while the status still says checked is still an error.
        expect(importStep(imp({ errors: bad.errors }))).toBe('invalid')
        expect(importStep(imp({ status: 'applied' }))).toBe('applied')
        expect(canApplyImport(imp({ status: 'applied' }))).toBe(false)
        // A file of results already recorded changes nothing: nothing to apply.
        expect(canApplyImport(imp({ summary: { new: 0, unchanged: 3, conflicts: 0 } }))).toBe(false)
        expect(canApplyImport(imp({ summary: { new: 0, unchanged: 2, conflicts: 1 } }))).toBe(true)
    })

    it('accepts .csv and .xlsx up to the size limit only', () => {
        expect(fileProblem('结果.CSV', 100, ['.csv', '.xlsx'], 16)).toBeNull()
        expect(fileProblem('r.xlsx', 16 * 1024 * 1024, ['.csv', '.xlsx'], 16)).toBeNull()
        expect(fileProblem('r.xls', 100, ['.csv', '.xlsx'], 16)).toBe('type')
        expect(fileProblem('r.xlsx', 16 * 1024 * 1024 + 1, ['.csv', '.xlsx'], 16)).toBe('size')
    })

    it("follows an alert's own link only inside the app", () => {
        const alert = (overrides: Partial<Alert>): Alert => ({ kind: 'pooled_positive', id: 4, community_id: 1, title: 'x', at: 0, link: null, ...overrides })
        expect(alertLink(alert({ link: '/results/pools/4' }))).toBe('/results/pools/4')
        expect(alertLink(alert({ link: '/pools/5' }))).toBe('/results/pools/5')
        expect(alertLink(alert({ kind: 'case', link: '/residents/12' }))).toBe('/residents/12')
        expect(alertLink(alert({ link: 'https://evil.example/' }))).toBe('/results/pools/4')
        expect(alertLink(alert({ link: '//evil.example/' }))).toBe('/results/pools/4')
        expect(alertLink(alert({ link: '/api/v1/pools/4' }))).toBe('/results/pools/4')
        expect(alertLink(alert({ kind: 'result_conflict', id: 9 }))).toBe('/results/conflicts')
        expect(alertLink(alert({ kind: 'case', id: 2 }))).toBe('/results/pools')
    })

    it('counts a procedure as done by its settled members', () => {
        expect(poolPercent({ members_total: 10, cleared: 9, cases: 1 })).toBe(100)
        expect(poolPercent({ members_total: 10, cleared: 3, cases: 0 })).toBe(30)
        expect(poolPercent({ members_total: 3, cleared: 1, cases: 0 })).toBe(33)
    })

    it('shows evidence as short lines', () => {
        expect(evidenceLines({ tube: 'T001', result: 'positive', ct: { n: 30 } })).toEqual(['tube: T001', 'result: positive', 'ct: {"n":30}'])
        expect(evidenceLines('单采阴性')).toEqual(['单采阴性'])
        expect(evidenceLines({ reported_at: 1_700_000_000_000, round_id: 2 }, (ms) => `t${ms / 1e12}`)).toEqual(['reported_at: t1.7', 'round_id: 2'])
        expect(evidenceLines(null)).toEqual([])
        expect(evidenceLines(['a', { b: 1 }])).toEqual(['a', '{"b":1}'])
    })

    it('counts missing tubes only for a received box', () => {
        expect(boxShortfall({ tubes_sent: 20, tubes_received: 18, received_at: 5 })).toBe(2)
        expect(boxShortfall({ tubes_sent: 20, tubes_received: 0, received_at: null })).toBe(0)
        expect(boxShortfall({ tubes_sent: 20, tubes_received: 21, received_at: 5 })).toBe(0)
    })

    it('links a retest round to coverage when that page exists, else to the live figures', () => {
        const sections = [
            { key: 'live', path: '/sampling/live', page: () => null, permission: 'sampling.live' },
            { key: 'roundCoverage', path: '/coverage', page: () => null, permission: 'coverage.read' },
        ]
        expect(roundLink(7, sections, () => true)).toEqual({ path: '/coverage', query: { round: '7' } })
        expect(roundLink(7, sections, (p) => p === 'sampling.live')).toEqual({ path: '/sampling/live', query: { round: '7' } })
        expect(roundLink(7, [{ key: 'roundCoverage', path: '/coverage' }], () => true)).toBeNull()
        expect(roundLink(null, sections, () => true)).toBeNull()
    })
})
