import { defineStore } from 'pinia'
import { computed, ref } from 'vue'

import * as auth from '@/api/auth'
import type { Me, Role } from '@/api/auth'
import { isApiError, kCsrfCookie, readCookie } from '@/api/client'

// Who is signed in, as the server last said (GET auth/me, POST auth/login). The server decides
// every request on its own; this store only decides what the app shows: the menu, which pages
// open, the user menu.
//
// status: 'unknown' until the first answer, then 'signed-in' or 'signed-out'.
export type SessionStatus = 'unknown' | 'signed-in' | 'signed-out'

const kEpoch = 'Thu, 01 Jan 1970 00:00:00 GMT'

export const useSessionStore = defineStore('session', () => {
    const me = ref<Me | null>(null)
    const status = ref<SessionStatus>('unknown')
    // Why the user is on the login page when they did not sign out themselves: the ApiError of
    // a 401 (「登录已过期, 请重新登录」) or of a failed GET auth/me (network down); null if none.
    const notice = ref<unknown>(null)
    let loading: Promise<void> | null = null

    const user = computed(() => me.value?.user ?? null)
    const signedIn = computed(() => status.value === 'signed-in' && me.value !== null)
    const mustChangePassword = computed(() => me.value?.user.must_change_password ?? false)
    // Each role the user holds, once, in grant order.
    const roles = computed<Role[]>(() => [...new Set((me.value?.user.grants ?? []).map((g) => g.role))])

    function can(permission: string): boolean {
        return me.value?.permissions.includes(permission) ?? false
    }

    function signedInAs(answer: Me): void {
        me.value = answer
        status.value = 'signed-in'
        notice.value = null
    }

    // Forgets the user (after logout, or when the server answered 401); `reason` is shown on the
    // login page.
    function clear(reason: unknown = null): void {
        me.value = null
        status.value = 'signed-out'
        notice.value = reason
    }

    // Asks the server who is signed in. A 401 means nobody; any other failure also leaves the
    // app signed out (it cannot show pages it may not open) and its message becomes the notice.
    // The server sets its readable CSRF cookie together with the (HttpOnly) session cookie: with
    // none there is no session to ask about, and a visitor's page load costs no request (and no
    // "request denied" audit row). A CSRF cookie left behind by an ended session is dropped.
    async function load(): Promise<void> {
        if (!readCookie(kCsrfCookie)) {
            clear()
            return
        }
        try {
            signedInAs(await auth.getMe())
        } catch (error) {
            const unauthenticated = isApiError(error) && error.status === 401
            if (unauthenticated) {
                document.cookie = `${kCsrfCookie}=; Path=/; Max-Age=0; Expires=${kEpoch}; SameSite=Strict`
            }
            clear(unauthenticated ? null : error)
        }
    }

    // Loads once; later calls wait for the same answer.
    function ensureLoaded(): Promise<void> {
        if (status.value !== 'unknown') return Promise.resolve()
        loading ??= load().finally(() => {
            loading = null
        })
        return loading
    }

    // Signs in; rejects with the server's ApiError (wrong password, locked, too many attempts).
    async function login(username: string, password: string): Promise<void> {
        signedInAs(await auth.login(username, password))
    }

    // Ends the session on the server. The app forgets the user even if the server could not be
    // told (the session then expires on its own).
    async function logout(): Promise<void> {
        try {
            await auth.logout()
        } catch (error) {
            if (!isApiError(error)) throw error
        } finally {
            clear()
        }
    }

    // After the user changed their own password: the server no longer requires it.
    async function passwordChanged(): Promise<void> {
        if (me.value) me.value = { ...me.value, user: { ...me.value.user, must_change_password: false } }
        await load()
    }

    return {
        me,
        status,
        notice,
        user,
        signedIn,
        mustChangePassword,
        roles,
        can,
        clear,
        load,
        ensureLoaded,
        login,
        logout,
        passwordChanged,
    }
})
