import { afterEach, describe, expect, it, vi } from 'vitest'

import { i18n } from './index'
import './results'
import './results_public'
import resultsEn from './results.en'
import resultsZhCN from './results.zh-CN'
import publicEn from './results_public.en'
import publicZhCN from './results_public.zh-CN'

function leaves(tree: object, prefix = ''): Map<string, string> {
    const out = new Map<string, string>()
    for (const [key, value] of Object.entries(tree)) {
        const path = prefix ? `${prefix}.${key}` : key
        if (typeof value === 'string') out.set(path, value)
        else for (const [k, v] of leaves(value as object, path)) out.set(k, v)
    }
    return out
}

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()

describe.each([
    ['results', resultsZhCN, resultsEn],
    ['publicResults', publicZhCN, publicEn],
])('%s messages', (root, zhTree, enTree) => {
    afterEach(() => vi.restoreAllMocks())
    const zh = leaves(zhTree, root)
    const en = leaves(enTree, root)

    it('have the same keys and placeholders in zh-CN and en, none empty', () => {
        expect([...en.keys()].sort()).toEqual([...zh.keys()].sort())
        for (const [key, text] of zh) {
            expect(text.trim(), key).not.toBe('')
            expect((en.get(key) ?? '').trim(), key).not.toBe('')
            expect(placeholders(en.get(key) ?? ''), key).toEqual(placeholders(text))
        }
    })

    it('compile in both languages once merged', () => {
        const errors = vi.spyOn(console, 'error').mockImplementation(() => {})
        const warnings = vi.spyOn(console, 'warn').mockImplementation(() => {})
        for (const [locale, tree] of [
            ['zh-CN', zh],
            ['en', en],
        ] as const) {
            for (const [key, text] of tree) {
                const params = Object.fromEntries(placeholders(text).map((name) => [name, 'X']))
                const shown = i18n.global.t(key, params, { locale })
                expect(shown, key).not.toBe(key)
                expect(shown, key).not.toMatch(/\{\w+\}/)
            }
        }
        expect(errors).not.toHaveBeenCalled()
        expect(warnings).not.toHaveBeenCalled()
    })
})

describe('results messages', () => {
    it('say the words the residents and the contract use', () => {
        expect(i18n.global.t('publicResults.invalidCode', {}, { locale: 'zh-CN' })).toBe('无效或已失效的二维码')
        expect(i18n.global.t('publicResults.later', {}, { locale: 'zh-CN' })).toBe('请稍后再试')
        expect(i18n.global.t('results.pools.memberStatus.pending_retest', {}, { locale: 'zh-CN' })).toBe('待单采复核')
        expect(i18n.global.t('results.pool.mixed', { n: 10 }, { locale: 'zh-CN' })).toBe('10混1')
        expect(i18n.global.t('nav.pools', {}, { locale: 'zh-CN' })).toBe('混管阳性处置')
    })
})
