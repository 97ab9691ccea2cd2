import followupEn from './followup.en'
import followupZhCN from './followup.zh-CN'
import { i18n } from './index'

// The coverage and follow-up pages' texts (under `followup.`) join the app's messages when the
// first of those pages loads (each imports this module), so the first visit does not carry them.
let loaded = false

export function loadFollowupMessages(): void {
    if (loaded) return
    i18n.global.mergeLocaleMessage('zh-CN', { followup: followupZhCN })
    i18n.global.mergeLocaleMessage('en', { followup: followupEn })
    loaded = true
}

loadFollowupMessages()
