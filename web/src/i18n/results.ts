import { i18n } from './index'
import resultsEn from './results.en'
import resultsZhCN from './results.zh-CN'

// The results pages' texts join the app's messages under `results.` when the first of those
// pages loads (each imports this module), so the first visit does not carry them.
let loaded = false

export function loadResultsMessages(): void {
    if (loaded) return
    i18n.global.mergeLocaleMessage('zh-CN', { results: resultsZhCN })
    i18n.global.mergeLocaleMessage('en', { results: resultsEn })
    loaded = true
}

loadResultsMessages()
