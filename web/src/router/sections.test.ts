import { describe, expect, it } from 'vitest'
import { createMemoryHistory, createRouter } from 'vue-router'

import { addAccessCheck, installGuards } from './guards'
import { buildRoutes } from './index'
import { kSections, sectionForPath, sectionsWithPages } from './sections'

describe('sections', () => {
    it('lists the product sections in menu order', () => {
        expect(kSections.map((s) => s.key)).toEqual([
            'dashboard',
            'residents',
            'rounds',
            'sampling',
            'coverage',
            'results',
            'audit',
            'system',
        ])
    })

    it('shows only sections that have a page', () => {
        expect(sectionsWithPages().map((s) => s.key)).toEqual(['dashboard'])
    })

    it('routes every page lazily', () => {
        const layout = buildRoutes()[0]
        const names = layout.children?.map((r) => r.name)
        expect(names).toEqual(['dashboard', 'not-found'])
        for (const child of layout.children ?? []) expect(typeof child.component).toBe('function')
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
