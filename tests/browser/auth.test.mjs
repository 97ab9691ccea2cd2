// The accounts pages against the real server (issue 3): sign-in and its messages, the language
// switch on the login page, 用户管理 (create a user, read the one-time password once), 审计日志,
// sign-out, the forced password change of a new user, an administrator ending someone's
// sessions, and the phone layout. Needs `npm run build` in web/ and BULWARK_BIN; without it the
// suite is skipped (the stand-in server has no accounts to test).
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { after, before, describe, test } from 'node:test'

import { choose, kAdmin, launchBrowser, openInChinese, screenshot, startServer, touchTargets } from './lib.mjs'

const kTimeout = 90_000
const kSkip = process.env.BULWARK_BIN
    ? false
    : 'BULWARK_BIN is unset: the accounts pages are tested only against the real server ' +
      '(BULWARK_BIN=/path/to/bulwark npm run test:browser)'

const kNewUser = { username: 'li.si', displayName: '李四' }
const kNewPassword = '网格员李四的新密码2024'

const menuTexts = (page, scope = '[data-testid="side-nav"]') =>
    page.locator(`${scope} [role="menuitem"]`).allInnerTexts()
const pathOf = (page) => new URL(page.url()).pathname
const fullPathOf = (page) => {
    const url = new URL(page.url())
    return decodeURIComponent(url.pathname + url.search)
}

// Opens the login page in Chinese, whatever an earlier test chose.
async function openLogin(context, baseUrl, path = '/login') {
    const page = await openInChinese(context, baseUrl, path)
    await page.getByTestId('login-form').waitFor()
    return page
}

async function submitLogin(page, username, password) {
    await page.getByTestId('login-username').fill(username)
    await page.getByTestId('login-password').fill(password)
    await page.getByTestId('login-submit').click()
}

describe('accounts (real server)', { skip: kSkip }, () => {
    let server
    let browser
    let oneTimePassword = ''

    before(async () => {
        server = await startServer({ users: [kAdmin] })
        console.log(`# server: ${server.kind} at ${server.baseUrl}`)
        browser = await launchBrowser({ viewport: { width: 1280, height: 800 } })
        await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.baseUrl })
    })

    after(async () => {
        await browser?.close()
        await server?.stop()
    })

    test('sends a visitor to the login page, which speaks Chinese and English', { timeout: kTimeout }, async () => {
        const page = await openLogin(browser.context, server.baseUrl, '/users')
        assert.equal(fullPathOf(page), '/login?redirect=/users')
        assert.equal(await page.title(), '登录 · Bulwark 社区防疫')
        assert.equal(await page.getByTestId('login-submit').innerText(), '登录')
        assert.equal(await page.getByTestId('login-notice').count(), 0, 'no notice for a first visit')
        await screenshot(page, 'login-zh')

        await page.getByTestId('language-switch').click()
        await page.waitForFunction(() => document.documentElement.lang === 'en')
        assert.equal(await page.title(), 'Sign in · Bulwark Community Response')
        assert.equal(await page.getByTestId('login-submit').innerText(), 'Sign in')
        assert.equal(await page.getByTestId('product-name').innerText(), 'Bulwark Community Response')
        await screenshot(page, 'login-en')

        await page.getByTestId('language-switch').click()
        await page.waitForFunction(() => document.documentElement.lang === 'zh-CN')
        assert.equal(await page.getByTestId('login-submit').innerText(), '登录')
        await page.close()
    })

    test('answers a wrong password and an unknown user alike', { timeout: kTimeout }, async () => {
        const page = await openLogin(browser.context, server.baseUrl)
        await submitLogin(page, kAdmin.username, 'not-the-password')
        const error = page.getByTestId('login-error')
        await error.waitFor()
        const wrongPassword = await error.innerText()
        assert.equal(wrongPassword, '用户名或密码错误')
        assert.equal(await page.getByTestId('login-password').inputValue(), '', 'password cleared')
        await screenshot(page, 'login-wrong-password')

        await submitLogin(page, 'nobody-here', 'not-the-password')
        await page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/login'))
        await error.waitFor()
        assert.equal(await error.innerText(), wrongPassword)
        assert.equal(pathOf(page), '/login')
        await page.close()
    })

    test('signs the administrator in and goes where they wanted', { timeout: kTimeout }, async () => {
        const page = await openLogin(browser.context, server.baseUrl, '/users')
        await submitLogin(page, kAdmin.username, kAdmin.password)
        await page.waitForURL(`${server.baseUrl}/users`)
        await page.getByTestId('users-table').waitFor()
        assert.equal(await page.getByTestId('user-name').innerText(), '王主任')
        assert.equal(await page.getByTestId('user-role').innerText(), '管理员')
        // The registry's (and testing's) entries sit between; the accounts ones end the menu.
        const menu = await menuTexts(page)
        assert.equal(menu[0], '概览')
        assert.deepEqual(menu.slice(-2), ['审计日志', '用户管理'])
        assert.match(await page.locator('[data-testid="side-nav"] [data-section="system"] .el-menu-item-group__title').innerText(), /系统/)

        await page.locator('[data-testid="side-nav"] [role="menuitem"]', { hasText: '概览' }).click()
        await page.waitForURL(`${server.baseUrl}/`)
        await page.locator('[data-state="ready"]').waitFor()
        assert.equal(await page.title(), '概览 · Bulwark 社区防疫')
        await screenshot(page, 'dashboard-admin')
        await page.close()
    })

    test('creates a user and shows the one-time password once', { timeout: kTimeout }, async () => {
        const page = await browser.context.newPage()
        await page.goto(`${server.baseUrl}/users`)
        await page.getByTestId('users-table').waitFor()
        await page.getByTestId('user-create').click()
        const dialog = page.getByTestId('user-dialog')
        await dialog.waitFor()
        await page.getByTestId('user-username').fill(kNewUser.username)
        await page.getByTestId('user-display-name').fill(kNewUser.displayName)
        await choose(page, dialog.getByTestId('grant-role'), '网格员')
        // The scope starts as the administrator's own (街道 1).
        assert.equal(await dialog.getByTestId('grant-id').locator('input').inputValue(), '1')
        await screenshot(page, 'users-create')
        await page.getByTestId('user-dialog-save').click()

        const secret = page.getByTestId('one-time-password')
        await secret.waitFor()
        oneTimePassword = (await secret.innerText()).trim()
        assert.match(oneTimePassword, /^[A-Za-z2-9]{16}$/)
        await page.getByTestId('copy-password').click()
        await page.getByTestId('copy-password').getByText('已复制').waitFor()
        assert.equal(await page.evaluate(() => navigator.clipboard.readText()), oneTimePassword)
        await screenshot(page, 'users-one-time-password')
        await page.getByTestId('one-time-done').click()
        await secret.waitFor({ state: 'hidden' })

        const row = page.locator('[data-testid="users-table"] tr', { hasText: kNewUser.username })
        assert.match(await row.innerText(), /李四/)
        assert.match(await row.innerText(), /网格员 · 街道 1/)
        assert.match(await row.innerText(), /待改密码/)
        // Shown once: nowhere on the page any more, and not after a reload.
        assert.equal(await page.getByText(oneTimePassword).count(), 0)
        await page.reload()
        await page.getByTestId('users-table').locator('tr', { hasText: kNewUser.username }).waitFor()
        assert.equal(await page.getByText(oneTimePassword).count(), 0)
        await screenshot(page, 'users-list')
        await page.close()
    })

    test('lists the creation in the audit log, filters and exports', { timeout: kTimeout }, async () => {
        const page = await browser.context.newPage()
        await page.goto(`${server.baseUrl}/audit`)
        const table = page.getByTestId('audit-table')
        await table.locator('tbody tr').first().waitFor()
        assert.ok((await table.getByText('创建用户').count()) >= 2, 'the CLI and the page each created one')

        await choose(page, page.getByTestId('audit-action'), '创建用户')
        await choose(page, page.getByTestId('audit-user'), '王主任 (admin)')
        const answered = page.waitForResponse((r) => r.url().includes('/api/v1/audit?'))
        await page.getByTestId('audit-search').click()
        const query = new URL((await answered).url()).searchParams
        assert.equal(query.get('action'), 'user.create')
        assert.equal(query.get('user_id'), '1')
        await page.waitForFunction(() => document.querySelectorAll('[data-testid="audit-table"] tbody tr').length === 1)
        assert.match(await table.locator('tbody tr').innerText(), /创建用户[\s\S]*账号 #2/)
        await page.locator('.el-loading-mask').waitFor({ state: 'hidden' })
        await screenshot(page, 'audit-filtered')

        await page.getByTestId('audit-export').click()
        const downloading = page.waitForEvent('download')
        await page.getByTestId('audit-export-csv').click()
        const download = await downloading
        assert.match(download.suggestedFilename(), /^audit-\d{4}-\d{2}-\d{2}\.csv$/)
        const csv = readFileSync(await download.path(), 'utf8')
        const lines = csv.trim().split('\r\n')
        assert.equal(lines.length, 2, csv)
        assert.match(lines[0], /用户名/)
        assert.match(lines[1], /"user\.create"/)
        await page.close()
    })

    test('signs out from the user menu', { timeout: kTimeout }, async () => {
        const page = await browser.context.newPage()
        await page.goto(`${server.baseUrl}/`)
        await page.getByTestId('user-menu').click()
        await page.getByTestId('logout').click()
        await page.waitForURL(`${server.baseUrl}/login`)
        await page.getByText('已退出登录').waitFor()
        await page.goto(`${server.baseUrl}/audit`)
        await page.waitForURL(/\/login\?redirect=/)
        await page.close()
    })

    test('makes a new user change the one-time password first', { timeout: kTimeout }, async () => {
        assert.ok(oneTimePassword, 'an earlier test created the user')
        const page = await openLogin(browser.context, server.baseUrl)
        await submitLogin(page, kNewUser.username, oneTimePassword)
        await page.waitForURL(`${server.baseUrl}/account`)
        await page.getByTestId('must-change').waitFor()
        assert.equal(await page.getByTestId('account-name').innerText(), '李四')
        assert.equal(await page.getByTestId('account-grants').innerText(), '网格员 · 街道 1')
        assert.equal(await page.getByTestId('user-role').innerText(), '网格员')

        // Elsewhere is out of reach until the password is changed.
        await page.locator('[data-testid="side-nav"] [role="menuitem"]', { hasText: '概览' }).click()
        await page.waitForTimeout(300)
        assert.equal(pathOf(page), '/account')

        const form = page.getByTestId('password-form')
        await page.getByTestId('old-password').fill(oneTimePassword)
        await page.getByTestId('new-password').fill('too-short')
        await page.getByTestId('confirm-password').fill('something-else')
        await page.getByTestId('change-password').click()
        await form.getByText('新密码至少需要 10 个字符').waitFor()
        await form.getByText('两次输入的新密码不一致').waitFor()
        await screenshot(page, 'account-forced-change')

        await page.getByTestId('new-password').fill(kNewPassword)
        await page.getByTestId('confirm-password').fill(kNewPassword)
        await page.getByTestId('change-password').click()
        await page.waitForURL(`${server.baseUrl}/`)
        await page.locator('[data-state="ready"]').waitFor()
        // A grid worker reads the registry of their scope, and no accounts pages.
        const menu = await menuTexts(page)
        assert.equal(menu[0], '概览')
        assert.ok(menu.includes('居民名册') && !menu.includes('审计日志') && !menu.includes('用户管理'), menu.join(','))

        await page.goto(`${server.baseUrl}/users`)
        await page.getByTestId('forbidden').waitFor()
        assert.match(await page.getByTestId('forbidden').innerText(), /没有权限/)
        await screenshot(page, 'forbidden')

        await page.getByTestId('user-menu').click()
        await page.getByTestId('logout').click()
        await page.waitForURL(`${server.baseUrl}/login`)
        await page.close()
    })

    test("ends a user's sessions from 用户管理; their next request goes to the login page", { timeout: kTimeout }, async () => {
        // The grid worker in a browser of their own; the administrator in the shared one.
        const worker = await launchBrowser({ viewport: { width: 1280, height: 800 } })
        try {
            const workerPage = await openLogin(worker.context, server.baseUrl)
            await submitLogin(workerPage, kNewUser.username, kNewPassword)
            await workerPage.waitForURL(`${server.baseUrl}/`)
            await workerPage.locator('[data-state="ready"]').waitFor()

            const admin = await openLogin(browser.context, server.baseUrl)
            await submitLogin(admin, kAdmin.username, kAdmin.password)
            await admin.waitForURL(`${server.baseUrl}/`)
            await admin.goto(`${server.baseUrl}/users`)
            await admin.getByTestId(`more-${kNewUser.username}`).click()
            await admin.locator('[data-testid="user-sessions"]:visible').click()
            await admin.locator('.el-message-box').getByRole('button', { name: '确定' }).click()
            await admin.getByText('已结束 1 个登录会话').waitFor()

            await workerPage.getByTestId('refresh').click()
            await workerPage.waitForURL(`${server.baseUrl}/login`)
            assert.equal(await workerPage.getByTestId('login-notice').innerText(), '登录已失效, 请重新登录')
            await screenshot(workerPage, 'login-session-ended')
            await admin.close()
        } finally {
            await worker.close()
        }
    })
})

describe('accounts on a phone (real server)', { skip: kSkip }, () => {
    let server
    let browser

    before(async () => {
        server = await startServer({ users: [kAdmin] })
        browser = await launchBrowser({
            viewport: { width: 390, height: 844 },
            deviceScaleFactor: 2,
            isMobile: true,
            hasTouch: true,
        })
    })

    after(async () => {
        await browser?.close()
        await server?.stop()
    })

    test('signs in, manages users and reads the audit log on a narrow screen', { timeout: kTimeout }, async () => {
        const page = await openLogin(browser.context, server.baseUrl, '/users')
        const noOverflow = async (what) => {
            const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
            assert.ok(overflow <= 0, `${what}: page is ${overflow}px wider than the screen`)
        }
        await noOverflow('login')
        // The fields' tap areas are their frames (a tap anywhere in one focuses its input).
        const heights = await page
            .locator('.login-page button, .login-page .el-input__wrapper')
            .evaluateAll((els) => els.map((el) => [el.className, Math.round(el.getBoundingClientRect().height)]))
        assert.ok(heights.length >= 4, JSON.stringify(heights))
        for (const [name, height] of heights) assert.ok(height >= 44, `login: ${name} is ${height}px high`)
        await screenshot(page, 'phone-login')

        await submitLogin(page, kAdmin.username, kAdmin.password)
        await page.waitForURL(`${server.baseUrl}/users`)
        // On a phone each account is a card with its actions in view.
        const card = page.locator('[data-testid="user-card"][data-username="admin"]')
        await card.waitFor()
        assert.match(await card.innerText(), /王主任[\s\S]*管理员 · 街道 1[\s\S]*正常[\s\S]*编辑/)
        await noOverflow('users')
        const userMenu = page.getByTestId('user-menu')
        assert.equal(await userMenu.getAttribute('aria-label'), '当前用户：王主任')
        for (const target of await touchTargets(page, 'header')) {
            assert.ok(target.height >= 44 && target.width >= 44, `header touch target ${JSON.stringify(target)}`)
        }
        await screenshot(page, 'phone-users')

        await page.getByTestId('user-create').tap()
        await page.getByTestId('user-dialog').waitFor()
        await page.waitForTimeout(400)
        await noOverflow('create dialog')
        const fieldHeights = await page
            .getByTestId('user-dialog')
            .locator('.el-input__wrapper, .el-select__wrapper, button:not([hidden])')
            .evaluateAll((els) => els.map((el) => [el.className, Math.round(el.getBoundingClientRect().height)]))
        for (const [name, height] of fieldHeights) assert.ok(height >= 44, `create dialog: ${name} is ${height}px high`)
        await screenshot(page, 'phone-users-create')
        await page.getByTestId('user-dialog').getByRole('button', { name: '取消' }).tap()

        await userMenu.tap()
        await page.locator('.user-summary:visible').getByText('管理员').waitFor()
        await page.waitForTimeout(400) // let the fade-in finish before the picture
        await screenshot(page, 'phone-user-menu')
        await page.keyboard.press('Escape')

        await page.getByTestId('menu-button').tap()
        const drawer = page.locator('.nav-drawer')
        await drawer.waitFor({ state: 'visible' })
        assert.deepEqual((await menuTexts(page, '.nav-drawer')).slice(-2), ['审计日志', '用户管理'])
        await drawer.locator('[role="menuitem"]', { hasText: '审计日志' }).tap()
        await drawer.waitFor({ state: 'hidden' })
        await page.getByTestId('audit-table').locator('tbody tr').first().waitFor()
        await page.locator('.el-loading-mask').waitFor({ state: 'hidden' })
        await noOverflow('audit')
        const filters = await page.getByTestId('audit-filters').evaluate((form) => {
            const card = form.getBoundingClientRect()
            return [...form.querySelectorAll('.el-form-item__content > *')].map((el) => el.getBoundingClientRect().right - card.right)
        })
        for (const over of filters) assert.ok(over <= 1, `an audit filter sticks out ${over}px`)
        await screenshot(page, 'phone-audit')
        await page.close()
    })
})
