import { createI18n } from 'vue-i18n'

import en from './en'
import zhCN from './zh-CN'

export const kLocales = ['zh-CN', 'en'] as const
export type Locale = (typeof kLocales)[number]

export const kDefaultLocale: Locale = 'zh-CN'
// Where the chosen language is remembered between visits.
export const kLocaleStorageKey = 'bulwark.locale'

export function isLocale(value: unknown): value is Locale {
    return typeof value === 'string' && (kLocales as readonly string[]).includes(value)
}

// The language to start in: the one chosen before, else Chinese (the users' language, whatever
// the browser says). Storage may be unavailable (private mode, blocked): then the default.
export function storedLocale(): Locale {
    try {
        const value = window.localStorage.getItem(kLocaleStorageKey)
        return isLocale(value) ? value : kDefaultLocale
    } catch {
        return kDefaultLocale
    }
}

export const i18n = createI18n({
    legacy: false,
    locale: storedLocale(),
    fallbackLocale: kDefaultLocale,
    messages: { 'zh-CN': zhCN, en },
})

// Switches the whole app's language, remembers it and tells the browser (<html lang>), which
// picks fonts and screen-reader voices by it. Element Plus follows through App.vue.
export function setLocale(locale: Locale): void {
    i18n.global.locale.value = locale
    document.documentElement.lang = locale
    try {
        window.localStorage.setItem(kLocaleStorageKey, locale)
    } catch {
        // Not remembered: the switch still holds for this visit.
    }
}

export function currentLocale(): Locale {
    return i18n.global.locale.value as Locale
}
