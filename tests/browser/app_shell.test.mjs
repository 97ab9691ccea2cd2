// The app shell in a real browser: Chinese first, the English switch, the dashboard's states,
// deep links and the phone layout. Needs `npm run build` in web/ first; see lib.mjs for which
// server it runs against (BULWARK_BIN, else the harness's static stand-in). Pages need a
// signed-in user: a community worker (kStaffUser), whose menu has only the overview.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'

import { kStaffUser, launchBrowser, screenshot, signIn, startServer, touchTargets } from './lib.mjs'

const kTimeout = 60_000
const kSystemInfo = '**/api/v1/system/info'

function fakeInfo() {
    const now = Date.now()
    return {
        name: 'bulwark',
        version: '0.1.0-test',
        database: 'sqlite',
        started_at: now - ((24 + 3) * 60 + 25) * 60_000,
        server_time: now,
    }
}

// Opens `path` with no language remembered from an earlier test.
async function openFresh(context, baseUrl, path = '/') {
    const page = await context.newPage()
    await page.goto(`${baseUrl}/healthz`)
    await page.goto(baseUrl + '/')
    await page.evaluate(() => window.localStorage.clear())
    await page.goto(baseUrl + path)
    await page.getByTestId('product-name').waitFor()
    return page
}

// The menu's entries; 概览 first, then whatever the signed-in user's permissions open (the real
// server's staff account also sees the registry and testing pages).
const menuTexts = (page, scope) => page.locator(`${scope} [role="menuitem"]`).allInnerTexts()

describe('app shell', () => {
    let server
    let browser

    before(async () => {
        server = await startServer({ users: [kStaffUser] })
        console.log(`# server: ${server.kind} at ${server.baseUrl}`)
        browser = await launchBrowser({ viewport: { width: 1280, height: 800 } })
        await signIn(browser.context, server)
    })

    after(async () => {
        await browser?.close()
        await server?.stop()
    })

    test('renders in Chinese with the menu of real pages', { timeout: kTimeout }, async () => {
        const page = await openFresh(browser.context, server.baseUrl)
        await page.route(kSystemInfo, (route) => route.fulfill({ json: fakeInfo() }))
        await page.reload()
        await page.getByTestId('product-name').waitFor()

        assert.equal(await page.getByTestId('product-name').innerText(), 'Bulwark 社区防疫')
        assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN')
        assert.equal(await page.title(), '概览 · Bulwark 社区防疫')
        assert.equal((await menuTexts(page, '[data-testid="side-nav"]'))[0], '概览')
        assert.equal(await page.getByTestId('menu-button').count(), 0, 'no menu button on a wide screen')
        await page.locator('[data-state="ready"]').waitFor()
        assert.equal(await page.getByTestId('info-version').innerText(), '0.1.0-test')
        assert.match(await page.getByTestId('server-state').innerText(), /1 天 3 小时 25 分钟/)
        await screenshot(page, 'desktop-zh')
        await page.close()
    })

    test('switches to English and remembers it after a reload', { timeout: kTimeout }, async () => {
        const page = await openFresh(browser.context, server.baseUrl)
        await page.getByTestId('language-switch').click()
        await page.waitForFunction(() => document.documentElement.lang === 'en')
        assert.equal((await menuTexts(page, '[data-testid="side-nav"]'))[0], 'Overview')
        assert.equal(await page.getByTestId('product-name').innerText(), 'Bulwark Community Response')
        assert.equal(await page.title(), 'Overview · Bulwark Community Response')

        await page.reload()
        await page.getByTestId('product-name').waitFor()
        assert.equal(await page.evaluate(() => document.documentElement.lang), 'en')
        assert.equal((await menuTexts(page, '[data-testid="side-nav"]'))[0], 'Overview')
        assert.equal(await page.getByTestId('language-switch').innerText(), '中文')

        await page.getByTestId('language-switch').click()
        await page.waitForFunction(() => document.documentElement.lang === 'zh-CN')
        assert.equal((await menuTexts(page, '[data-testid="side-nav"]'))[0], '概览')
        await page.close()
    })

    test("shows the server's error message, then retries", { timeout: kTimeout }, async () => {
        const page = await browser.context.newPage()
        await page.route(kSystemInfo, (route) =>
            route.fulfill({
                status: 503,
                json: { error: { code: 'unavailable', message: '数据库暂时不可用，请稍后重试', field: null } },
            }),
        )
        await page.goto(server.baseUrl + '/')
        await page.locator('[data-state="error"]').waitFor()
        assert.equal(await page.getByTestId('error-message').innerText(), '数据库暂时不可用，请稍后重试')
        assert.match(await page.getByTestId('server-state').innerText(), /错误代码：unavailable/)

        await page.unroute(kSystemInfo)
        await page.route(kSystemInfo, (route) => route.fulfill({ json: fakeInfo() }))
        await page.getByTestId('retry').click()
        await page.locator('[data-state="ready"]').waitFor()
        assert.equal(await page.getByTestId('info-database').innerText(), 'SQLite（单机）')
        await page.close()
    })

    test('asks the server itself for its state', { timeout: kTimeout }, async () => {
        const page = await browser.context.newPage()
        const answered = page.waitForResponse((response) => response.url().endsWith('/api/v1/system/info'))
        await page.goto(server.baseUrl + '/')
        const response = await answered
        if (server.kind === 'harness-static') {
            // The stand-in has no API: its JSON 404 must come through as the page's error state.
            assert.equal(response.status(), 404)
        }
        // The page shows what the real server answered: its state, or its own error message
        // (e.g. 403 「没有执行此操作的权限」 for an account without system.info.read).
        if (response.status() === 200) {
            const info = await response.json()
            await page.locator('[data-state="ready"]').waitFor()
            assert.equal(await page.getByTestId('info-name').innerText(), info.name)
            assert.equal(await page.getByTestId('info-version').innerText(), info.version)
            assert.ok(['sqlite', 'postgresql'].includes(info.database), info.database)
        } else {
            const { error } = await response.json()
            await page.locator('[data-state="error"]').waitFor()
            assert.equal(await page.getByTestId('error-message').innerText(), error.message)
            assert.match(await page.getByTestId('server-state').innerText(), new RegExp(error.code))
        }
        await page.close()
    })

    test('serves deep links through the app and caches assets forever', { timeout: kTimeout }, async () => {
        const page = await browser.context.newPage()
        const assets = []
        page.on('response', (response) => {
            if (new URL(response.url()).pathname.startsWith('/assets/')) assets.push(response)
        })
        const response = await page.goto(server.baseUrl + '/residents/not-yet')
        assert.equal(response.status(), 200)
        await page.getByText('页面不存在').waitFor()
        assert.equal(await page.title(), 'Bulwark 社区防疫')
        assert.ok(assets.length > 0, 'the app loaded its assets')
        for (const asset of assets) {
            assert.match(asset.headers()['cache-control'] ?? '', /immutable/, asset.url())
        }
        // The not-found page must not pull in the dashboard's code.
        assert.ok(!assets.some((asset) => asset.url().includes('DashboardPage')), 'no dashboard chunk')

        await page.getByRole('link', { name: '返回概览' }).click()
        await page.waitForURL(server.baseUrl + '/')
        await page.getByTestId('server-state').waitFor()
        await page.close()
    })
})

describe('phone layout', () => {
    let server
    let browser

    before(async () => {
        server = await startServer({ users: [kStaffUser] })
        browser = await launchBrowser({
            viewport: { width: 390, height: 844 },
            deviceScaleFactor: 2,
            isMobile: true,
            hasTouch: true,
        })
        await signIn(browser.context, server)
    })

    after(async () => {
        await browser?.close()
        await server?.stop()
    })

    test('hides the side menu behind a header button that opens a drawer', { timeout: kTimeout }, async () => {
        const page = await openFresh(browser.context, server.baseUrl)
        await page.route(kSystemInfo, (route) => route.fulfill({ json: fakeInfo() }))
        await page.reload()
        await page.locator('[data-state="ready"]').waitFor()

        assert.equal(await page.getByTestId('side-nav').count(), 0, 'no side menu on a phone')
        const button = page.getByTestId('menu-button')
        assert.ok(await button.isVisible(), 'menu button visible')
        assert.equal(await button.getAttribute('aria-label'), '打开导航菜单')
        for (const target of await touchTargets(page, 'header')) {
            assert.ok(target.height >= 44 && target.width >= 44, `header touch target ${JSON.stringify(target)}`)
        }
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
        assert.ok(overflow <= 0, `page is ${overflow}px wider than the screen`)
        await screenshot(page, 'phone-zh')

        await button.tap()
        const drawer = page.locator('.nav-drawer')
        await drawer.waitFor({ state: 'visible' })
        assert.equal((await menuTexts(page, '.nav-drawer'))[0], '概览')
        // Element Plus speaks Chinese too (its own close button label).
        assert.equal(await drawer.locator('.el-drawer__close-btn').getAttribute('aria-label'), '关闭此对话框')
        for (const target of await touchTargets(page, '.nav-drawer')) {
            assert.ok(target.height >= 44, `drawer touch target ${JSON.stringify(target)}`)
        }
        await page.waitForTimeout(400) // let the slide-in finish before the picture
        await screenshot(page, 'phone-zh-drawer')

        await drawer.locator('[role="menuitem"]', { hasText: '概览' }).tap()
        await drawer.waitFor({ state: 'hidden' })
        await page.close()
    })
})
