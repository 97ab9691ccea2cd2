import {
    Calendar,
    DataBoard,
    DocumentChecked,
    FirstAidKit,
    Memo,
    PieChart,
    Setting,
    User,
} from '@element-plus/icons-vue'
import type { Component } from 'vue'

// The product's sections, in menu order and in the users' words (nav.<key> in the i18n files).
// A section appears in the menu and gets a route only once it has a page: a later issue adds
// its page by setting `page` on its entry (always a dynamic import, so each page is its own
// chunk and, e.g., the sampling page never loads the dashboard's charts).
export type SectionKey =
    | 'dashboard'
    | 'residents'
    | 'rounds'
    | 'sampling'
    | 'coverage'
    | 'results'
    | 'audit'
    | 'system'

export interface Section {
    key: SectionKey
    path: string
    icon: Component
    page?: () => Promise<Component | { default: Component }>
}

export const kSections: readonly Section[] = [
    { key: 'dashboard', path: '/', icon: DataBoard, page: () => import('@/pages/DashboardPage.vue') },
    { key: 'residents', path: '/residents', icon: User },
    { key: 'rounds', path: '/rounds', icon: Calendar },
    { key: 'sampling', path: '/sampling', icon: FirstAidKit },
    { key: 'coverage', path: '/coverage', icon: PieChart },
    { key: 'results', path: '/results', icon: DocumentChecked },
    { key: 'audit', path: '/audit', icon: Memo },
    { key: 'system', path: '/system', icon: Setting },
]

export type SectionWithPage = Section & Required<Pick<Section, 'page'>>

export function sectionsWithPages(sections: readonly Section[] = kSections): SectionWithPage[] {
    return sections.filter((section): section is SectionWithPage => section.page !== undefined)
}

// The section a path belongs to (the longest matching prefix), for the menu's highlight.
export function sectionForPath(path: string, sections: readonly Section[] = kSections): Section | undefined {
    let best: Section | undefined
    for (const section of sections) {
        const matches =
            section.path === '/'
                ? path === '/'
                : path === section.path || path.startsWith(`${section.path}/`)
        if (matches && (!best || section.path.length > best.path.length)) best = section
    }
    return best
}
