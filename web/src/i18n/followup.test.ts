import { afterEach, describe, expect, it, vi } from 'vitest'

import { kHomeSamplingReasons, kOutcomes } from '@/api/followup'

import './followup'
import followupEn from './followup.en'
import followupZhCN from './followup.zh-CN'
import { i18n } from './index'

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

describe('follow-up pages messages', () => {
    afterEach(() => vi.restoreAllMocks())
    const zh = leaves({ followup: followupZhCN })
    const en = leaves({ followup: followupEn })

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

    it('name every outcome and home-sampling reason of the contract', () => {
        for (const outcome of kOutcomes) expect(followupZhCN.outcomes[outcome], outcome).toBeTruthy()
        for (const reason of kHomeSamplingReasons) expect(followupZhCN.home.reasons[reason], reason).toBeTruthy()
        expect(i18n.global.t('followup.outcomes.away', {}, { locale: 'zh-CN' })).toBe('离开本市')
    })
})
