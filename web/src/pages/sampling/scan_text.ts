import { useI18n } from 'vue-i18n'

import type { QueueItem } from '@/offline/item'
import '@/i18n/sampling'

// Rejection and warning codes the page names itself; others show the server's sentence.
const kReasons = [
    'already_sampled',
    'tube_closed',
    'tube_full',
    'tube_barcode_used',
    'not_found',
    'outside_scope',
    'moved_out',
    'single_tube_required',
    'idempotency_key_reused',
    'permission_denied',
    'invalid_argument',
    'failed_precondition',
    'round_not_open',
    'site_not_in_round',
    'table_has_open_tube',
] as const

// Plain words for a scan's outcome: the server's own sentence where it gave one (it says where
// and when someone was already sampled), else the page's words for the code.
export function useScanText() {
    const { t, te } = useI18n()
    const named = (code: string) => ((kReasons as readonly string[]).includes(code) && te(`sampling.reasons.${code}`) ? t(`sampling.reasons.${code}`) : '')

    function reason(item: Pick<QueueItem, 'code' | 'message' | 'kind'>): string {
        const code = item.code ?? 'unknown'
        if (item.message) return item.message
        return named(code) || t('sampling.reasons.other', { code })
    }

    function warning(code: string, message = ''): string {
        return named(code) || message || code
    }

    return { reason, warning }
}
