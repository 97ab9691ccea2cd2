import { afterEach, describe, expect, it, vi } from 'vitest'

import { i18n } from './index'
import './sampling'
import samplingEn from './sampling.en'
import samplingZhCN from './sampling.zh-CN'

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

describe('testing pages messages', () => {
    afterEach(() => vi.restoreAllMocks())
    const zh = leaves(samplingZhCN)
    const en = leaves(samplingEn)

    it('have the same keys and placeholders in zh-CN and en, none empty', () => {
        expect([...en.keys()].sort()).toEqual([...zh.keys()].sort())
        for (const [key, text] of zh) {
            expect(text.trim(), key).not.toBe('')
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

    it('do not clash with the app-wide messages', () => {
        for (const key of Object.keys(samplingZhCN)) expect(['sampling', 'rounds', 'sites']).toContain(key)
        expect(i18n.global.t('sampling.pool.mixed', { n: 10 }, { locale: 'zh-CN' })).toBe('10混1')
        expect(i18n.global.t('sites.weekdays.7', {}, { locale: 'zh-CN' })).toBe('周日')
    })
})
