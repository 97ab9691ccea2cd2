import { useI18n } from 'vue-i18n'

import type { Grant } from '@/api/auth'

// Roles, scopes and audit actions in the user's language (「管理员 · 街道 1」); a code the app
// has no name for shows as itself, so a role added on the server still reads as something.
export function useGrantText() {
    const { t, te } = useI18n()
    const named = (prefix: string, code: string) => (te(`${prefix}.${code}`) ? t(`${prefix}.${code}`) : code)

    const role = (code: string) => named('roles', code)
    const scopeKind = (code: string) => named('scopeKinds', code)
    const grant = (g: Grant) => t('grant', { role: role(g.role), scope: scopeKind(g.scope_kind), id: g.scope_id })
    // An audit row's scope, "street:1" → 「街道 1」.
    const scope = (text: string) => {
        const colon = text.indexOf(':')
        return colon < 0 ? text : `${scopeKind(text.slice(0, colon))} ${text.slice(colon + 1)}`
    }
    const action = (code: string) => named('audit.actions', code.replace(/\./g, '_'))
    return { role, scopeKind, grant, scope, action }
}
