import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'

import AppLayout from '@/layouts/AppLayout.vue'

import { installGuards } from './guards'
import { sectionsWithPages, type SectionKey } from './sections'

declare module 'vue-router' {
    interface RouteMeta {
        // The section whose nav.<key> names the page (menu highlight, document title).
        section?: SectionKey
        // Open without signing in (the login page).
        public?: boolean
        // The permission the page needs (from its section).
        permission?: string
    }
}

export function buildRoutes(): RouteRecordRaw[] {
    const pages: RouteRecordRaw[] = sectionsWithPages().map((section) => ({
        path: section.path === '/' ? '' : section.path.slice(1),
        name: section.key,
        component: section.page,
        meta: { section: section.key, permission: section.permission },
    }))
    return [
        {
            path: '/login',
            name: 'login',
            component: () => import('@/pages/LoginPage.vue'),
            meta: { public: true },
        },
        // A resident's own results, opened from the link on their code card (issue 7): no
        // sign-in, no app frame.
        {
            path: '/r/:token',
            name: 'publicResults',
            component: () => import('@/pages/public/ResidentResultsPage.vue'),
            meta: { public: true },
        },
        {
            path: '/',
            component: AppLayout,
            children: [
                ...pages,
                {
                    path: 'forbidden',
                    name: 'forbidden',
                    component: () => import('@/pages/ForbiddenPage.vue'),
                },
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
