import type { NavigationGuardReturn, RouteLocationNormalized, Router } from 'vue-router'

// A check run before every navigation, in the order added. It returns what a vue-router guard
// returns: true or undefined to go on, false to stay, or a location to go to instead. The
// accounts issue adds the "signed in?" check here (and its login route, which stays public
// through a route meta flag it chooses); until then every page is open.
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
