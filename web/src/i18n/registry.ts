import { i18n } from './index'
import registryEn from './registry.en'
import registryZhCN from './registry.zh-CN'

// The registry pages' texts join the app's messages under `registry.` when the first of those
// pages loads (each imports this module), so the first visit does not carry them.
let loaded = false

export function loadRegistryMessages(): void {
    if (loaded) return
    i18n.global.mergeLocaleMessage('zh-CN', { registry: registryZhCN })
    i18n.global.mergeLocaleMessage('en', { registry: registryEn })
    loaded = true
}

loadRegistryMessages()
