import { describe, expect, it } from 'vitest'

import { buildRoutes } from '@/router/index'
import { menuTree, sectionForPath, sectionsWithPages } from '@/router/sections'

// The results pages in the menu and the routes (issue 7): each page behind its permission.
const resultsMenu = (permissions: string[]) =>
    menuTree((p) => permissions.includes(p))
        .filter((e) => e.section.key === 'results')
        .map((e) => e.children.map((c) => c.key))

describe('results sections', () => {
    it('show a lab its file import and overview, staff the review pages', () => {
        expect(resultsMenu(['boxes.receive', 'labs.read', 'results.write', 'lab.overview'])).toEqual([['resultsImport', 'labOverview']])
        expect(resultsMenu(['results.read', 'results.review', 'pools.read', 'pools.write', 'alerts.read'])).toEqual([
            ['resultConflicts', 'pools', 'invalidTubes'],
        ])
        expect(resultsMenu(['alerts.read'])).toEqual([])
    })

    it('route each page lazily with its permission; a procedure highlights the list', () => {
        const layout = buildRoutes().find((r) => r.path === '/')
        const route = (name: string) => layout?.children?.find((r) => r.name === name)
        const expected: Record<string, [string, string]> = {
            resultsImport: ['results/import', 'results.write'],
            labOverview: ['results/lab', 'lab.overview'],
            resultConflicts: ['results/conflicts', 'results.review'],
            pools: ['results/pools', 'pools.read'],
            pool: ['results/pools/:id(\\d+)', 'pools.read'],
            invalidTubes: ['results/invalid', 'results.read'],
        }
        for (const [name, [path, permission]] of Object.entries(expected)) {
            expect(route(name)?.path, name).toBe(path)
            expect(route(name)?.meta?.permission, name).toBe(permission)
            expect(typeof route(name)?.component, name).toBe('function')
        }
        expect(sectionForPath('/results/pools/3', sectionsWithPages())?.key).toBe('pools')
        expect(menuTree(() => true).flatMap((e) => e.children.map((c) => c.key))).not.toContain('pool')
    })
})
