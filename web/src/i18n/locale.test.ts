import { beforeEach, describe, expect, it } from 'vitest'

import { currentLocale, i18n, kLocaleStorageKey, setLocale, storedLocale } from './index'

describe('locale', () => {
    beforeEach(() => {
        window.localStorage.clear()
        setLocale('zh-CN')
        window.localStorage.clear()
    })

    it('defaults to Chinese', () => {
        expect(storedLocale()).toBe('zh-CN')
        expect(i18n.global.t('nav.rounds')).toBe('核酸检测轮次')
    })

    it('switches, remembers and sets <html lang>', () => {
        setLocale('en')
        expect(currentLocale()).toBe('en')
        expect(document.documentElement.lang).toBe('en')
        expect(window.localStorage.getItem(kLocaleStorageKey)).toBe('en')
        expect(storedLocale()).toBe('en')
        expect(i18n.global.t('nav.rounds')).toBe('Testing rounds')
    })

    it('ignores an unknown stored value', () => {
        window.localStorage.setItem(kLocaleStorageKey, 'fr')
        expect(storedLocale()).toBe('zh-CN')
    })
})
