import {
    Box,
    Calendar,
    CopyDocument,
    DataBoard,
    DataAnalysis,
    DataLine,
    Document,
    DocumentChecked,
    FirstAidKit,
    House,
    Iphone,
    List,
    Histogram,
    Location,
    Memo,
    Odometer,
    PieChart,
    Printer,
    Reading,
    RefreshLeft,
    Setting,
    Stamp,
    Tickets,
    Upload,
    User,
    UserFilled,
    Warning,
    WarningFilled,
} from '@element-plus/icons-vue'
import type { Component } from 'vue'

// The product's sections, in menu order and in the users' words (nav.<key> in the i18n files).
// A section appears in the menu and gets a route only once it has a page: a later issue adds
// its page by setting `page` on its entry (always a dynamic import, so each page is its own
// chunk and, e.g., the sampling page never loads the dashboard's charts).
export type SectionKey =
    | 'dashboard'
    | 'residents'
    | 'residentList'
    | 'resident'
    | 'residentDuplicates'
    | 'residentImport'
    | 'residentCodes'
    | 'rounds'
    | 'sites'
    | 'sampling'
    | 'samplingScan'
    | 'boxes'
    | 'lab'
    | 'live'
    | 'coverage'
    | 'roundCoverage'
    | 'missed'
    | 'myFollowups'
    | 'homeSampling'
    | 'repeatedMisses'
    | 'healthCodeRequests'
    | 'dailyReport'
    | 'results'
    | 'resultsImport'
    | 'labOverview'
    | 'resultConflicts'
    | 'pools'
    | 'pool'
    | 'invalidTubes'
    | 'audit'
    | 'system'
    | 'users'
    | 'account'

export interface Section {
    key: SectionKey
    path: string
    icon: Component
    page?: () => Promise<Component | { default: Component }>
    // The permission (from GET /auth/me) needed to see the entry and open the page. The server
    // checks every request itself; this only keeps people from pages they cannot use.
    permission?: string
    // The menu group the entry sits under: a section without a page of its own, shown as a
    // sub-menu while at least one of its entries is shown.
    parent?: SectionKey
    // A page reached from elsewhere (我的账户, from the user menu), not listed in the side menu.
    hidden?: boolean
    // A further permission needed to list the page in the menu (not to open it): a grid worker
    // may read their grid's coverage from a link, but their menu shows only their own work.
    menuPermission?: string
}

export const kSections: readonly Section[] = [
    { key: 'dashboard', path: '/', icon: DataBoard, page: () => import('@/pages/DashboardPage.vue') },
    { key: 'residents', path: '/residents', icon: User },
    {
        key: 'residentList',
        path: '/residents',
        icon: Tickets,
        parent: 'residents',
        permission: 'residents.read',
        page: () => import('@/pages/registry/ResidentsPage.vue'),
    },
    {
        key: 'resident',
        path: '/residents/:id(\\d+)',
        icon: User,
        hidden: true,
        permission: 'residents.read',
        page: () => import('@/pages/registry/ResidentPage.vue'),
    },
    {
        key: 'residentDuplicates',
        path: '/residents/duplicates',
        icon: CopyDocument,
        hidden: true,
        permission: 'residents.read',
        page: () => import('@/pages/registry/DuplicatesPage.vue'),
    },
    {
        key: 'residentImport',
        path: '/residents/import',
        icon: Upload,
        parent: 'residents',
        permission: 'residents.import',
        page: () => import('@/pages/registry/ImportPage.vue'),
    },
    {
        key: 'residentCodes',
        path: '/residents/codes',
        icon: Printer,
        parent: 'residents',
        permission: 'codes.print',
        page: () => import('@/pages/registry/CodesPage.vue'),
    },
    // Testing (issue 5). The permissions are the testing module's (src/testing/README.md): a
    // scanner, whose grant is over their site, sees 采样 with 扫码采样, 转运箱 and their site's
    // 实时数据; a lab sees 样本接收; community staff see everything. Rounds and sites are listed
    // for those who plan them (rounds.write, sites.write): a scanner reads both only to choose
    // where they work, on the sampling page.
    {
        key: 'rounds',
        path: '/rounds',
        icon: Calendar,
        permission: 'rounds.write',
        page: () => import('@/pages/rounds/RoundsPage.vue'),
    },
    {
        key: 'sites',
        path: '/sites',
        icon: Location,
        permission: 'sites.write',
        page: () => import('@/pages/sites/SitesPage.vue'),
    },
    { key: 'sampling', path: '/sampling', icon: FirstAidKit },
    {
        key: 'samplingScan',
        path: '/sampling',
        icon: FirstAidKit,
        parent: 'sampling',
        permission: 'sampling.scan',
        page: () => import('@/pages/sampling/SamplingPage.vue'),
    },
    {
        key: 'boxes',
        path: '/sampling/boxes',
        icon: Box,
        parent: 'sampling',
        permission: 'boxes.write',
        page: () => import('@/pages/sampling/BoxesPage.vue'),
    },
    {
        key: 'lab',
        path: '/lab',
        icon: Reading,
        parent: 'sampling',
        permission: 'boxes.receive',
        page: () => import('@/pages/sampling/LabReceiptPage.vue'),
    },
    {
        key: 'live',
        path: '/sampling/live',
        icon: DataLine,
        parent: 'sampling',
        permission: 'sampling.live',
        page: () => import('@/pages/sampling/LivePage.vue'),
    },
    { key: 'coverage', path: '/coverage', icon: PieChart },
    // Coverage and follow-up (issue 6). Grid workers and data verifiers see 我的漏检 and 入户采样;
    // community staff (followup.assign) see everything; 日报 is for those who report (reports.read).
    {
        key: 'roundCoverage',
        path: '/coverage',
        icon: Odometer,
        parent: 'coverage',
        permission: 'coverage.read',
        menuPermission: 'followup.assign',
        page: () => import('@/pages/followup/CoveragePage.vue'),
    },
    {
        key: 'missed',
        path: '/coverage/missed',
        icon: List,
        parent: 'coverage',
        permission: 'followup.read',
        menuPermission: 'followup.assign',
        page: () => import('@/pages/followup/MissedPage.vue'),
    },
    {
        key: 'myFollowups',
        path: '/followups/mine',
        icon: Iphone,
        parent: 'coverage',
        permission: 'followup.write',
        page: () => import('@/pages/followup/MyFollowupsPage.vue'),
    },
    {
        key: 'homeSampling',
        path: '/home-sampling',
        icon: House,
        parent: 'coverage',
        permission: 'followup.read',
        page: () => import('@/pages/followup/HomeSamplingPage.vue'),
    },
    {
        key: 'repeatedMisses',
        path: '/coverage/repeated',
        icon: DataAnalysis,
        parent: 'coverage',
        permission: 'followup.read',
        menuPermission: 'followup.assign',
        page: () => import('@/pages/followup/RepeatedMissesPage.vue'),
    },
    {
        key: 'healthCodeRequests',
        path: '/health-codes',
        icon: Stamp,
        parent: 'coverage',
        permission: 'healthcode.request',
        menuPermission: 'healthcode.approve',
        page: () => import('@/pages/followup/HealthCodeRequestsPage.vue'),
    },
    {
        key: 'dailyReport',
        path: '/reports/daily',
        icon: Document,
        parent: 'coverage',
        permission: 'reports.read',
        page: () => import('@/pages/followup/DailyReportPage.vue'),
    },
    { key: 'results', path: '/results', icon: DocumentChecked },
    // Results (issue 7): a lab loads result files and sees its overview; community staff review
    // conflicting results, follow pooled-positive procedures and invalid tubes.
    {
        key: 'resultsImport',
        path: '/results/import',
        icon: Upload,
        parent: 'results',
        permission: 'results.write',
        page: () => import('@/pages/results/ResultsImportPage.vue'),
    },
    {
        key: 'labOverview',
        path: '/results/lab',
        icon: Histogram,
        parent: 'results',
        permission: 'lab.overview',
        page: () => import('@/pages/results/LabOverviewPage.vue'),
    },
    {
        key: 'resultConflicts',
        path: '/results/conflicts',
        icon: Warning,
        parent: 'results',
        permission: 'results.review',
        page: () => import('@/pages/results/ConflictsPage.vue'),
    },
    {
        key: 'pools',
        path: '/results/pools',
        icon: WarningFilled,
        parent: 'results',
        permission: 'pools.read',
        page: () => import('@/pages/results/PoolsPage.vue'),
    },
    {
        key: 'pool',
        path: '/results/pools/:id(\\d+)',
        icon: WarningFilled,
        hidden: true,
        permission: 'pools.read',
        page: () => import('@/pages/results/PoolPage.vue'),
    },
    {
        key: 'invalidTubes',
        path: '/results/invalid',
        icon: RefreshLeft,
        parent: 'results',
        permission: 'results.read',
        page: () => import('@/pages/results/InvalidTubesPage.vue'),
    },
    { key: 'audit', path: '/audit', icon: Memo, permission: 'audit.read', page: () => import('@/pages/AuditPage.vue') },
    { key: 'system', path: '/system', icon: Setting },
    {
        key: 'users',
        path: '/users',
        icon: UserFilled,
        parent: 'system',
        permission: 'users.manage',
        page: () => import('@/pages/UsersPage.vue'),
    },
    { key: 'account', path: '/account', icon: User, hidden: true, page: () => import('@/pages/AccountPage.vue') },
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

// One entry of the side menu: a page, or a group (its `children` are the pages under it).
export interface MenuEntry {
    section: Section
    children: SectionWithPage[]
}

// The side menu for a user who holds the permissions `can` says yes to: pages they may open,
// in section order, each under its group if it has one; a group only when it has an entry.
export function menuTree(can: (permission: string) => boolean, sections: readonly Section[] = kSections): MenuEntry[] {
    const allowed = (section: Section) =>
        !section.hidden &&
        (!section.permission || can(section.permission)) &&
        (!section.menuPermission || can(section.menuPermission))
    const entries: MenuEntry[] = []
    for (const section of sections) {
        if (section.parent) continue
        const children = sectionsWithPages(sections).filter((child) => child.parent === section.key && allowed(child))
        if (children.length > 0 && allowed(section)) entries.push({ section, children })
        else if (section.page && allowed(section)) entries.push({ section, children: [] })
    }
    return entries
}
