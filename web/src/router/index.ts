import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'

import AppLayout from '@/layouts/AppLayout.vue'

import { installGuards } from './guards'
import { sectionsWithPages, type SectionKey } from './sections'

declare module 'vue-router' {
    interface RouteMeta {
        // The section whose nav.<key> names the page (menu highlight, document title).
        section?: SectionKey
    }
}

export function buildRoutes(): RouteRecordRaw[] {
    const pages: RouteRecordRaw[] = sectionsWithPages().map((section) => ({
        path: section.path === '/' ? '' : section.path.slice(1),
        name: section.key,
        component: section.page,
        meta: { section: section.key },
    }))
    return [
        {
            path: '/',
            component: AppLayout,
            children: [
                ...pages,
                {
                    path: ':pathMatch(.*)*',
                    name: 'not-found',
                    component: () => import('@/pages/NotFoundPage.vue'),
                },
            ],
        },
    ]
}

export const router = createRouter({
    history: createWebHistory(),
    routes: buildRoutes(),
})

installGuards(router)
