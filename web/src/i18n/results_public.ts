import { i18n } from './index'
import publicResultsEn from './results_public.en'
import publicResultsZhCN from './results_public.zh-CN'

// The residents' own page's texts join the app's messages under `publicResults.` when that
// page loads; nothing else of the results pages comes with them.
let loaded = false

export function loadPublicResultsMessages(): void {
    if (loaded) return
    i18n.global.mergeLocaleMessage('zh-CN', { publicResults: publicResultsZhCN })
    i18n.global.mergeLocaleMessage('en', { publicResults: publicResultsEn })
    loaded = true
}

loadPublicResultsMessages()
