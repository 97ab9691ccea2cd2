import { describe, expect, it } from 'vitest'

import en from './en'
import zhCN from './zh-CN'

// Every leaf key of a message tree, as dotted paths, with its text.
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

describe('i18n messages', () => {
    const zh = leaves(zhCN)
    const english = leaves(en)

    it('have the same keys in zh-CN and en', () => {
        expect([...english.keys()].sort()).toEqual([...zh.keys()].sort())
    })

    it('have no empty texts', () => {
        for (const [key, text] of [...zh, ...english]) expect(text.trim(), key).not.toBe('')
    })

    it('use the same placeholders in both languages', () => {
        for (const [key, text] of zh) expect(placeholders(english.get(key) ?? ''), key).toEqual(placeholders(text))
    })

    it('name every product section', () => {
        for (const key of ['dashboard', 'residents', 'rounds', 'sampling', 'coverage', 'results', 'audit', 'system']) {
            expect(zh.has(`nav.${key}`), key).toBe(true)
        }
        expect(zhCN.app.name).toBe('Bulwark 社区防疫')
    })
})
