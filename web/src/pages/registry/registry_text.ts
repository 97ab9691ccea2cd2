import { useI18n } from 'vue-i18n'

import type { Resident } from '@/api/registry'

import '@/i18n/registry'

// Registry codes in the user's language (「居民身份证」, 「已迁出」, 「60 岁以上」); a code the app
// has no name for shows as itself.
export function useRegistryText() {
    const { t, te } = useI18n()
    const named = (prefix: string, code: string) => (te(`registry.${prefix}.${code}`) ? t(`registry.${prefix}.${code}`) : code)
    return {
        docType: (code: string) => named('docTypes', code),
        sex: (code: string) => named('sexes', code || 'unknown'),
        residency: (code: string) => named('residencies', code),
        presence: (code: string) => named('presences', code),
        tag: (code: string) => named('tags', code),
        field: (code: string) => named('fields', code),
        // 「3栋 2单元 1203」
        address: (r: Pick<Resident, 'building' | 'unit' | 'room'>) => [r.building, r.unit, r.room].filter(Boolean).join(' '),
        // 「男 · 34 岁」
        sexAge: (r: Pick<Resident, 'sex' | 'age' | 'birth_date'>) =>
            [r.sex ? named('sexes', r.sex) : '', r.birth_date ? t('registry.ageValue', { age: r.age }) : '']
                .filter(Boolean)
                .join(' · '),
    }
}

// The colour of a presence tag: moved out stands out, away is muted.
export function presenceType(code: string): 'info' | 'warning' | 'success' {
    if (code === 'moved_out') return 'warning'
    if (code === 'away') return 'info'
    return 'success'
}
