import type { NavigationGuardReturn, RouteLocationNormalized, Router } from 'vue-router'

import { onUnauthorized } from '@/api/client'

// A check run before every navigation, in the order added. It returns what a vue-router guard
// returns: true or undefined to go on, false to stay, or a location to go to instead. The
// sign-in check below is one (routes with `meta.public` stay open).
export type AccessCheck = (
    to: RouteLocationNormalized,
    from: RouteLocationNormalized,
) => NavigationGuardReturn | Promise<NavigationGuardReturn>

const accessChecks: AccessCheck[] = []

// Adds a check; returns the function that removes it.
export function addAccessCheck(check: AccessCheck): () => void {
    accessChecks.push(check)
    return () => {
        const index = accessChecks.indexOf(check)
        if (index >= 0) accessChecks.splice(index, 1)
    }
}

export function installGuards(router: Router): void {
    router.beforeEach(async (to, from) => {
        for (const check of [...accessChecks]) {
            const verdict = await check(to, from)
            if (verdict !== undefined && verdict !== true) return verdict
        }
        return true
    })
}

// ---- the sign-in check (issue 3) ----
// What the app knows of the session (stores/session.ts), as far as navigation needs it.
export interface SessionView {
    status: 'unknown' | 'signed-in' | 'signed-out'
    mustChangePassword: boolean
    can(permission: string): boolean
    ensureLoaded(): Promise<void>
    clear(reason?: unknown): void
}

// Where a `redirect` query may send someone after signing in: a path inside this app, never
// another site (`//evil.example`, `/\evil.example`) and never the login page again.
export function safeRedirect(value: unknown, fallback = '/'): string {
    const text = Array.isArray(value) ? value[0] : value
    if (typeof text !== 'string' || !text.startsWith('/') || text.startsWith('//') || text.startsWith('/\\')) {
        return fallback
    }
    if (text === '/login' || text.startsWith('/login?') || text.startsWith('/login#')) return fallback
    return text
}

// The query that brings the user back to `to` after signing in (none for the overview).
function returnTo(to: RouteLocationNormalized): Record<string, string> {
    return to.fullPath === '/' ? {} : { redirect: to.fullPath }
}

// The decision for one navigation, once the session is known: public pages are open (the
// login page sends a signed-in user on); everyone else signs in first; a user who must change
// their password goes to 我的账户 until they have; a page whose permission the user lacks
// shows the "no permission" page instead.
export function sessionAccess(to: RouteLocationNormalized, session: SessionView): NavigationGuardReturn {
    if (to.meta.public) {
        if (to.name === 'login' && session.status === 'signed-in') return safeRedirect(to.query.redirect)
        return true
    }
    if (session.status !== 'signed-in') return { name: 'login', query: returnTo(to) }
    if (session.mustChangePassword && to.name !== 'account') {
        return { name: 'account', query: returnTo(to), replace: true }
    }
    if (to.meta.permission && !session.can(to.meta.permission)) {
        return { name: 'forbidden', query: { from: to.fullPath }, replace: true }
    }
    return true
}

// Installs the sign-in check and the answer to a 401 from any request made while signed in
// (the session expired, was ended by an administrator, or the account was locked): forget the
// user and show the login page with the server's message, coming back here afterwards.
// `session` is called at navigation time, when the store exists. Returns the uninstaller.
export function installSessionCheck(router: Router, session: () => SessionView): () => void {
    const removeCheck = addAccessCheck(async (to) => {
        const view = session()
        await view.ensureLoaded()
        return sessionAccess(to, view)
    })
    const removeListener = onUnauthorized((event) => {
        const view = session()
        // A wrong password at login, or the first "who is signed in?" of a visitor: expected.
        if (event.path === '/auth/login' || view.status !== 'signed-in') return
        view.clear(event.error)
        const current = router.currentRoute.value
        if (!current.meta.public) void router.push({ name: 'login', query: returnTo(current) })
    })
    return () => {
        removeCheck()
        removeListener()
    }
}
