import { afterEach, describe, expect, it, vi } from 'vitest'

import { i18n } from './index'
import './registry'
import registryEn from './registry.en'
import registryZhCN from './registry.zh-CN'

// The registry pages' texts: the same keys and placeholders in both languages, all compiling,
// and reachable under `registry.` once a registry page has loaded them.
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

describe('registry messages', () => {
    afterEach(() => vi.restoreAllMocks())
    const zh = leaves(registryZhCN)
    const en = leaves(registryEn)

    it('have the same keys and placeholders in zh-CN and en, none empty', () => {
        expect([...en.keys()].sort()).toEqual([...zh.keys()].sort())
        for (const [key, text] of zh) {
            expect(text.trim(), key).not.toBe('')
            expect(placeholders(en.get(key) ?? ''), key).toEqual(placeholders(text))
        }
    })

    for (const [locale, messages] of [
        ['zh-CN', zh],
        ['en', en],
    ] as const) {
        it(`compile and show under registry. in ${locale}`, () => {
            const errors = vi.spyOn(console, 'error').mockImplementation(() => {})
            const warnings = vi.spyOn(console, 'warn').mockImplementation(() => {})
            for (const [key, text] of messages) {
                const params = Object.fromEntries(placeholders(text).map((p) => [p, 'X']))
                const shown = i18n.global.t(`registry.${key}`, params, { locale })
                expect(shown, key).not.toBe(`registry.${key}`)
                expect(shown, key).not.toMatch(/\{\w+\}/)
            }
            expect(errors).not.toHaveBeenCalled()
            expect(warnings).not.toHaveBeenCalled()
        })
    }

    it('are loaded by every registry page, whichever opens first', () => {
        const pages = import.meta.glob('../pages/registry/*Page.vue', { query: '?raw', import: 'default', eager: true })
        expect(Object.keys(pages).length).toBeGreaterThanOrEqual(5)
        for (const [path, source] of Object.entries(pages)) {
            expect(String(source), path).toMatch(/from '\.\/registry_text'|import '@\/i18n\/registry'/)
        }
    })

    it('name every import field', () => {
        for (const field of ['name', 'doc_type', 'doc_number', 'phone', 'sex', 'birth_date', 'grid', 'building', 'unit', 'room', 'residency', 'presence', 'tags', 'notes']) {
            expect(zh.has(`fields.${field}`), field).toBe(true)
        }
        expect(i18n.global.t('registry.fields.doc_number', {}, { locale: 'zh-CN' })).toBe('证件号码')
    })
})
