import { describe, expect, it } from 'vitest'
import { createMemoryHistory, createRouter } from 'vue-router'

import { addAccessCheck, installGuards } from './guards'
import { buildRoutes } from './index'
import { kSections, menuTree, sectionForPath, sectionsWithPages } from './sections'

describe('sections', () => {
    it('lists the product sections in menu order', () => {
        expect(kSections.map((s) => s.key)).toEqual([
            'dashboard',
            'residents',
            'residentList',
            'resident',
            'residentDuplicates',
            'residentImport',
            'residentCodes',
            'rounds',
            'sites',
            'sampling',
            'samplingScan',
            'boxes',
            'lab',
            'live',
            'coverage',
            'roundCoverage',
            'missed',
            'myFollowups',
            'homeSampling',
            'repeatedMisses',
            'healthCodeRequests',
            'dailyReport',
            'results',
            'resultsImport',
            'labOverview',
            'resultConflicts',
            'pools',
            'pool',
            'invalidTubes',
            'audit',
            'system',
            'users',
            'account',
        ])
    })

    it('routes only sections that have a page', () => {
        expect(sectionsWithPages().map((s) => s.key)).toEqual([
            'dashboard',
            'residentList',
            'resident',
            'residentDuplicates',
            'residentImport',
            'residentCodes',
            'rounds',
            'sites',
            'samplingScan',
            'boxes',
            'lab',
            'live',
            'roundCoverage',
            'missed',
            'myFollowups',
            'homeSampling',
            'repeatedMisses',
            'healthCodeRequests',
            'dailyReport',
            'resultsImport',
            'labOverview',
            'resultConflicts',
            'pools',
            'pool',
            'invalidTubes',
            'audit',
            'users',
            'account',
        ])
    })

    it('routes every page lazily, the login page outside the app frame', () => {
        const routes = buildRoutes()
        const login = routes.find((r) => r.name === 'login')
        expect(login?.path).toBe('/login')
        expect(login?.meta?.public).toBe(true)
        expect(typeof login?.component).toBe('function')
        const layout = routes.find((r) => r.path === '/')
        const names = layout?.children?.map((r) => r.name)
        expect(names).toEqual([
            'dashboard',
            'residentList',
            'resident',
            'residentDuplicates',
            'residentImport',
            'residentCodes',
            'rounds',
            'sites',
            'samplingScan',
            'boxes',
            'lab',
            'live',
            'roundCoverage',
            'missed',
            'myFollowups',
            'homeSampling',
            'repeatedMisses',
            'healthCodeRequests',
            'dailyReport',
            'resultsImport',
            'labOverview',
            'resultConflicts',
            'pools',
            'pool',
            'invalidTubes',
            'audit',
            'users',
            'account',
            'forbidden',
            'not-found',
        ])
        for (const child of layout?.children ?? []) {
            expect(typeof child.component).toBe('function')
            expect(child.meta?.public).toBeFalsy()
        }
        const users = layout?.children?.find((r) => r.name === 'users')
        expect(users?.meta?.permission).toBe('users.manage')
        expect(layout?.children?.find((r) => r.name === 'audit')?.meta?.permission).toBe('audit.read')
    })

    it('lists in the menu only what the user may open, pages under their group', () => {
        const menu = (permissions: string[]) =>
            menuTree((p) => permissions.includes(p)).map((e) => [e.section.key, e.children.map((c) => c.key)])
        expect(menu([])).toEqual([['dashboard', []]])
        expect(menu(['audit.read'])).toEqual([
            ['dashboard', []],
            ['audit', []],
        ])
        expect(menu(['users.manage', 'audit.read'])).toEqual([
            ['dashboard', []],
            ['audit', []],
            ['system', ['users']],
        ])
    })

    it('puts the registry pages under 居民, each with its permission', () => {
        const menu = (permissions: string[]) =>
            menuTree((p) => permissions.includes(p)).map((e) => [e.section.key, e.children.map((c) => c.key)])
        expect(menu(['residents.read'])).toEqual([
            ['dashboard', []],
            ['residents', ['residentList']],
        ])
        expect(menu(['residents.read', 'residents.import', 'codes.print'])).toEqual([
            ['dashboard', []],
            ['residents', ['residentList', 'residentImport', 'residentCodes']],
        ])
        const layout = buildRoutes().find((r) => r.path === '/')
        const route = (name: string) => layout?.children?.find((r) => r.name === name)
        expect(route('resident')?.path).toBe('residents/:id(\\d+)')
        expect(route('resident')?.meta?.permission).toBe('residents.read')
        expect(route('residentImport')?.meta?.permission).toBe('residents.import')
        expect(route('residentCodes')?.meta?.permission).toBe('codes.print')
        // A resident's page highlights 居民名册 in the menu.
        expect(sectionForPath('/residents/12', sectionsWithPages())?.key).toBe('residentList')
        expect(sectionForPath('/residents/import', sectionsWithPages())?.key).toBe('residentImport')
    })

    it('shows a scanner the sampling pages only, a lab its receipt, staff the rounds and sites', () => {
        const menu = (permissions: string[]) =>
            menuTree((p) => permissions.includes(p)).map((e) => [e.section.key, e.children.map((c) => c.key)])
        const scanner = [
            'rounds.read',
            'sites.read',
            'labs.read',
            'sampling.scan',
            'sampling.lookup',
            'sampling.register_floating',
            'boxes.read',
            'boxes.write',
            'sampling.live',
        ]
        expect(menu(scanner)).toEqual([
            ['dashboard', []],
            ['sampling', ['samplingScan', 'boxes', 'live']],
        ])
        expect(menu(['boxes.receive'])).toEqual([
            ['dashboard', []],
            ['sampling', ['lab']],
        ])
        expect(menu(['rounds.read', 'rounds.write', 'sites.read', 'sites.write', 'sampling.scan', 'boxes.write', 'sampling.live'])).toEqual([
            ['dashboard', []],
            ['rounds', []],
            ['sites', []],
            ['sampling', ['samplingScan', 'boxes', 'live']],
        ])
        expect(sectionForPath('/sampling/boxes')?.key).toBe('boxes')
        expect(sectionForPath('/sampling')?.key).toBe('sampling')
    })

    it('shows a grid worker 我的漏检 and 入户采样, staff every coverage and follow-up page', () => {
        const menu = (permissions: string[]) =>
            menuTree((p) => permissions.includes(p)).map((e) => [e.section.key, e.children.map((c) => c.key)])
        const gridWorker = ['rounds.read', 'residents.read', 'coverage.read', 'followup.read', 'followup.write', 'healthcode.request']
        expect(menu(gridWorker)).toEqual([
            ['dashboard', []],
            ['residents', ['residentList']],
            ['coverage', ['myFollowups', 'homeSampling']],
        ])
        const staff = [...gridWorker, 'followup.assign', 'healthcode.approve', 'reports.read']
        expect(menu(staff)).toEqual([
            ['dashboard', []],
            ['residents', ['residentList']],
            ['coverage', ['roundCoverage', 'missed', 'myFollowups', 'homeSampling', 'repeatedMisses', 'healthCodeRequests', 'dailyReport']],
        ])
        // A grid worker may still open the coverage page from a link: the route asks coverage.read.
        const layout = buildRoutes().find((r) => r.path === '/')
        const route = (name: string) => layout?.children?.find((r) => r.name === name)
        expect(route('roundCoverage')?.meta?.permission).toBe('coverage.read')
        expect(route('myFollowups')?.meta?.permission).toBe('followup.write')
        expect(sectionForPath('/coverage/missed', sectionsWithPages())?.key).toBe('missed')
        expect(sectionForPath('/coverage', sectionsWithPages())?.key).toBe('roundCoverage')
    })

    it('finds the section of a path by its longest prefix', () => {
        expect(sectionForPath('/')?.key).toBe('dashboard')
        expect(sectionForPath('/rounds')?.key).toBe('rounds')
        expect(sectionForPath('/rounds/12/sites')?.key).toBe('rounds')
        expect(sectionForPath('/roundsx')).toBeUndefined()
    })
})

describe('access checks', () => {
    it('run before each navigation and may redirect', async () => {
        const router = createRouter({
            history: createMemoryHistory(),
            routes: [
                { path: '/', component: { template: '<div/>' } },
                { path: '/private', component: { template: '<div/>' } },
                { path: '/elsewhere', component: { template: '<div/>' } },
            ],
        })
        installGuards(router)
        const remove = addAccessCheck((to) => (to.path === '/private' ? '/elsewhere' : undefined))
        await router.push('/private')
        expect(router.currentRoute.value.path).toBe('/elsewhere')
        remove()
        await router.push('/private')
        expect(router.currentRoute.value.path).toBe('/private')
    })
})
