import { i18n } from './index'
import samplingEn from './sampling.en'
import samplingZhCN from './sampling.zh-CN'

// The testing pages' texts (under `sampling.`, `rounds.` and `sites.`) join the app's messages
// when the first of those pages loads (each imports this module), so the first visit does not
// carry them.
let loaded = false

export function loadSamplingMessages(): void {
    if (loaded) return
    i18n.global.mergeLocaleMessage('zh-CN', samplingZhCN)
    i18n.global.mergeLocaleMessage('en', samplingEn)
    loaded = true
}

loadSamplingMessages()
