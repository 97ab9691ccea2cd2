import { afterEach, describe, expect, it, vi } from 'vitest'

import en from './en'
import { i18n } from './index'
import zhCN from './zh-CN'

// vue-i18n compiles each message at first use and gives characters like @ | { } a meaning: a
// message that does not compile breaks only the page that shows it, so compile all of them.
function leaves(tree: object, prefix = ''): [string, string][] {
    return Object.entries(tree).flatMap(([key, value]) =>
        typeof value === 'string' ? [[`${prefix}${key}`, value] as [string, string]] : leaves(value, `${prefix}${key}.`),
    )
}

describe('i18n messages compile', () => {
    afterEach(() => vi.restoreAllMocks())

    for (const [locale, messages] of [
        ['zh-CN', zhCN],
        ['en', en],
    ] as const) {
        it(`in ${locale}`, () => {
            const errors = vi.spyOn(console, 'error').mockImplementation(() => {})
            const warnings = vi.spyOn(console, 'warn').mockImplementation(() => {})
            for (const [key, text] of leaves(messages)) {
                const params = Object.fromEntries([...text.matchAll(/\{(\w+)\}/g)].map((m) => [m[1], 'X']))
                const shown = i18n.global.t(key, params, { locale })
                expect(shown, key).not.toBe(key)
                expect(shown, key).not.toMatch(/\{\w+\}/)
            }
            expect(errors).not.toHaveBeenCalled()
            expect(warnings).not.toHaveBeenCalled()
        })
    }

    it('shows a literal @ in the user name hint', () => {
        expect(i18n.global.t('users.usernameHint', {}, { locale: 'zh-CN' })).toContain('_ . @ -')
    })
})
