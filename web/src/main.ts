import { createPinia } from 'pinia'
import { createApp } from 'vue'

import App from './App.vue'
import { currentLocale, i18n } from './i18n'
import { router } from './router'
import { installSessionCheck } from './router/guards'
import { useSessionStore } from './stores/session'
import './styles/main.css'

document.documentElement.lang = currentLocale()

const pinia = createPinia()
// The sign-in check, before the router's first navigation (app.use(router) starts it).
installSessionCheck(router, () => useSessionStore(pinia))
createApp(App).use(pinia).use(i18n).use(router).mount('#app')
