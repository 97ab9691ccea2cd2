/// <reference types="vitest/config" />

import { fileURLToPath, URL } from 'node:url'

import vue from '@vitejs/plugin-vue'
import AutoImport from 'unplugin-auto-import/vite'
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers'
import Components from 'unplugin-vue-components/vite'
import { defineConfig } from 'vite'

// Element Plus is imported per component (and its CSS per component) by the two unplugin
// resolvers, so a page only carries the widgets it uses. Every route component is a dynamic
// import (src/router/sections.ts), so each page is its own chunk.
export default defineConfig({
    plugins: [
        vue(),
        AutoImport({
            resolvers: [ElementPlusResolver()],
            dts: 'src/auto-imports.d.ts',
        }),
        Components({
            resolvers: [ElementPlusResolver({ importStyle: 'css' })],
            dts: 'src/components.d.ts',
        }),
    ],
    resolve: {
        alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) },
    },
    define: {
        // vue-i18n: Composition API only, no legacy API, no devtools in production.
        __VUE_I18N_LEGACY_API__: 'false',
        __VUE_I18N_FULL_INSTALL__: 'false',
        __INTLIFY_PROD_DEVTOOLS__: 'false',
        __VUE_PROD_DEVTOOLS__: 'false',
    },
    server: {
        // `npm run dev` next to a running `bulwark serve`: set BULWARK_API to its address.
        proxy: {
            '/api': { target: process.env.BULWARK_API ?? 'http://127.0.0.1:8080', changeOrigin: false },
            '/healthz': { target: process.env.BULWARK_API ?? 'http://127.0.0.1:8080' },
        },
    },
    build: {
        target: 'es2020',
        outDir: 'dist',
        emptyOutDir: true,
        reportCompressedSize: true,
    },
    test: {
        environment: 'happy-dom',
        include: ['src/**/*.test.ts'],
        // Element Plus's per-component style imports are .css files: let Vite (not Node) load them.
        server: { deps: { inline: ['element-plus'] } },
    },
})
