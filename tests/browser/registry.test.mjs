// The residents registry's pages against the real server (issue 4) with the synthetic demo
// community (`bulwark demo`): the place tree narrowing the list, searching, a resident's page
// with the masked values, unmasking with a reason (and forgetting on leaving), the edit form and
// its stale-version answer, re-issuing a code, adding a place, and the phone layout. Needs
// `npm run build` in web/ and BULWARK_BIN; skipped without it.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { after, before, describe, test } from 'node:test'

import { launchBrowser, openInChinese, routesOfBin, screenshot, signIn, startServer } from './lib.mjs'

const kTimeout = 120_000
const kSkip = process.env.BULWARK_BIN
    ? false
    : 'BULWARK_BIN is unset: the registry pages are tested only against the real server ' +
      '(BULWARK_BIN=/path/to/bulwark npm run test:browser)'

// What an older BULWARK_BIN does not have yet is skipped.
const kRoutes = routesOfBin()
const kNoExport = kRoutes.includes('/api/v1/residents/export.xlsx') ? false : 'this build has no export routes yet'
const kNoCards = kRoutes.includes('/api/v1/cards.pdf') ? false : 'this build has no code routes yet'

// Staff of the demo street (street 1, made by `bulwark demo`): read, write, unmask, export,
// import and print.
const kStaff = {
    username: 'registry.staff',
    displayName: '社区工作人员甲',
    role: 'staff',
    scope: 'street:1',
    password: 'browser-registry-staff-pw',
}

const pathOf = (page) => new URL(page.url()).pathname
const queryOf = (page) => Object.fromEntries(new URL(page.url()).searchParams)

// Waits until the resident table has finished loading and shows rows (or its empty text).
async function listSettled(page) {
    await page.getByTestId('resident-table').waitFor()
    await page.waitForFunction(() => !document.querySelector('[data-testid="resident-table"] .el-loading-mask'))
}

// A JSON request with the browser's session, as the app sends it (CSRF header and Origin).
async function apiCall(context, baseUrl, method, path, data) {
    const cookies = await context.cookies(baseUrl)
    const csrf = cookies.find((c) => c.name === 'bulwark_csrf')?.value ?? ''
    const response = await context.request.fetch(`${baseUrl}/api/v1${path}`, {
        method,
        data,
        headers: { Origin: baseUrl, 'X-CSRF-Token': csrf },
    })
    const body = await response.json().catch(() => null)
    return { status: response.status(), body }
}

describe('residents registry (real server)', { skip: kSkip }, () => {
    let server
    let browser
    let places

    before(async () => {
        server = await startServer({ commands: [['demo']], users: [kStaff] })
        console.log(`# server: ${server.kind} at ${server.baseUrl}`)
        browser = await launchBrowser({ viewport: { width: 1280, height: 860 } })
        await signIn(browser.context, server, kStaff)
        places = (await apiCall(browser.context, server.baseUrl, 'GET', '/places')).body
    })

    after(async () => {
        await browser?.close()
        await server?.stop()
    })

    test('lists the registry in the menu and shows the demo community', { timeout: kTimeout }, async () => {
        const page = await openInChinese(browser.context, server.baseUrl, '/residents')
        await listSettled(page)
        assert.equal(await page.title(), '居民名册 · Bulwark 社区防疫')
        const group = page.locator('[data-testid="side-nav"] [data-section="residents"]')
        assert.match(await group.locator('.el-menu-item-group__title').innerText(), /居民/)
        assert.deepEqual(await group.locator('[role="menuitem"]').allInnerTexts(), ['居民名册', '导入居民', '打印居民码'])

        const tree = page.getByTestId('place-tree')
        await tree.getByText('演示街道').waitFor()
        await tree.getByText('雅仕居社区').waitFor()
        const total = places.streets[0].residents
        assert.ok(total > 5000, `demo community has ${total} residents`)
        assert.match(await page.getByTestId('resident-pager').innerText(), new RegExp(`共 ${total} 条`))
        const docs = await page.getByTestId('resident-doc').allInnerTexts()
        assert.equal(docs.length, 50, 'a page of 50')
        // Infants may have no document yet (「—」).
        for (const doc of docs.filter((d) => d !== '—')) assert.match(doc, /\*{4,}/, `masked: ${doc}`)
        await screenshot(page, 'registry-list')
        await page.close()
    })

    test('narrows the list by grid and building from the tree, and searches', { timeout: kTimeout }, async () => {
        const page = await openInChinese(browser.context, server.baseUrl, '/residents')
        await listSettled(page)
        const grid = places.streets[0].communities[0].grids[0]
        const building = grid.buildings[0]

        await page.getByTestId(`place-grid:${grid.id}`).click()
        await page.waitForURL((url) => url.searchParams.get('grid') === String(grid.id))
        await listSettled(page)
        assert.match(await page.getByTestId('resident-pager').innerText(), new RegExp(`共 ${grid.residents} 条`))
        assert.match(await page.getByTestId('place-filter').innerText(), new RegExp(grid.name))

        await page.getByTestId(`place-building:${building.id}`).click()
        await page.waitForURL((url) => url.searchParams.get('building') === String(building.id))
        await listSettled(page)
        assert.match(await page.getByTestId('resident-pager').innerText(), new RegExp(`共 ${building.residents} 条`))
        for (const address of await page.getByTestId('resident-address').allInnerTexts()) {
            assert.ok(address.startsWith(building.name), address)
        }

        // By name within the building, then by pinyin initials, then by the last 4 of a phone.
        const first = await apiCall(browser.context, server.baseUrl, 'GET', `/residents?building_id=${building.id}&page_size=1`)
        const someone = first.body.items[0]
        await page.getByTestId('resident-search').fill(someone.name)
        await page.getByTestId('search-kind').getByText('按姓名查找').waitFor()
        await page.getByTestId('resident-search-submit').click()
        await page.waitForURL((url) => url.searchParams.get('q') === someone.name)
        await listSettled(page)
        const names = await page.getByTestId('resident-name').allInnerTexts()
        assert.ok(names.length >= 1 && names.every((n) => n.includes(someone.name)), names.join(','))
        assert.equal(queryOf(page).building, String(building.id), 'the place filter stays')

        await page.getByTestId('resident-search').fill(someone.name_initials)
        await page.getByTestId('resident-search-submit').click()
        await page.waitForURL((url) => url.searchParams.get('q') === someone.name_initials)
        await listSettled(page)
        assert.ok((await page.getByTestId('resident-name').allInnerTexts()).includes(someone.name))

        if (someone.phone) {
            const tail = someone.phone.slice(-4)
            await page.getByTestId('resident-search').fill(tail)
            await page.getByTestId('search-kind').getByText('按证件号或手机号后 4 位查找').waitFor()
            await page.getByTestId('resident-search-submit').click()
            await page.waitForURL((url) => url.searchParams.get('q') === tail)
            await listSettled(page)
            assert.ok((await page.getByTestId('resident-name').allInnerTexts()).includes(someone.name))
        }

        // Presence filter, then 全部居民 clears the place.
        await page.getByTestId('resident-reset').click()
        await page.waitForURL((url) => url.search === '')
        await listSettled(page)
        await page.getByTestId('filter-presence').click()
        await page.locator('.el-select-dropdown__item:visible', { hasText: '已迁出' }).click()
        await page.waitForURL((url) => url.searchParams.get('presence') === 'moved_out')
        await listSettled(page)
        const movedOut = await apiCall(browser.context, server.baseUrl, 'GET', '/residents?presence=moved_out&page_size=1')
        assert.match(await page.getByTestId('resident-pager').innerText(), new RegExp(`共 ${movedOut.body.total} 条`))
        await page.close()
    })

    test('shows a resident masked, unmasks with a reason, and forgets on leaving', { timeout: kTimeout }, async () => {
        const building = places.streets[0].communities[0].grids[0].buildings[1]
        const page = await openInChinese(browser.context, server.baseUrl, `/residents?building=${building.id}`)
        await listSettled(page)
        // Someone with an ID card and a phone (infants may have neither).
        const listed = await apiCall(browser.context, server.baseUrl, 'GET', `/residents?building_id=${building.id}`)
        const index = listed.body.items.findIndex((r) => r.doc_type === 'id_card' && r.phone)
        const name = listed.body.items[index].name
        await page.getByTestId('resident-name').nth(index).click()
        await page.waitForURL(/\/residents\/\d+$/)
        await page.getByTestId('resident-details').waitFor()
        assert.equal(await page.getByTestId('resident-title').innerText(), name)
        assert.equal(await page.title(), '居民信息 · Bulwark 社区防疫')
        const masked = await page.getByTestId('detail-doc').innerText()
        assert.match(masked, /^\d{6}\*+[\dX]{4}$/, masked)

        await page.getByTestId('unmask').click()
        const dialog = page.getByTestId('unmask-dialog')
        await dialog.getByText('查看将连同原因记入审计日志').waitFor()
        await page.getByTestId('unmask-dialog-submit').click()
        await dialog.getByText('请填写原因').waitFor()
        await page.getByTestId('unmask-dialog-reason').fill('核对身份以便上门采样')
        const answer = page.waitForResponse((r) => r.url().endsWith('/unmask'))
        await page.getByTestId('unmask-dialog-submit').click()
        assert.equal((await answer).status(), 200)
        await page.getByTestId('unmasked-note').waitFor()
        const whole = await page.getByTestId('detail-doc').innerText()
        assert.match(whole, /^990\d{14}[\dX]$/, 'the synthetic ID, whole')
        assert.equal(whole.slice(-4), masked.slice(-4))
        await screenshot(page, 'registry-unmasked')

        // 隐藏 masks again; so does leaving and coming back.
        await page.getByTestId('hide-unmasked').click()
        assert.equal(await page.getByTestId('detail-doc').innerText(), masked)
        await page.getByTestId('unmask').click()
        await page.getByTestId('unmask-dialog-reason').fill('再次核对')
        await page.getByTestId('unmask-dialog-submit').click()
        await page.getByTestId('unmasked-note').waitFor()
        const residentPath = pathOf(page)
        await page.getByTestId('resident-back').click()
        await page.waitForURL((url) => url.pathname === '/residents' && url.searchParams.get('building') === String(building.id))
        await listSettled(page)
        await page.goForward()
        await page.waitForURL((url) => url.pathname === residentPath)
        await page.getByTestId('resident-details').waitFor()
        assert.equal(await page.getByTestId('detail-doc').innerText(), masked)
        assert.equal(await page.getByTestId('unmasked-note').count(), 0)
        assert.equal(await page.evaluate((text) => document.body.innerText.includes(text), whole), false)
        await page.close()
    })

    test('edits a resident, and reloads when someone else saved first', { timeout: kTimeout }, async () => {
        const building = places.streets[0].communities[0].grids[1].buildings[0]
        const listed = await apiCall(browser.context, server.baseUrl, 'GET', `/residents?building_id=${building.id}&presence=present&page_size=1`)
        const resident = listed.body.items[0]
        const page = await openInChinese(browser.context, server.baseUrl, `/residents/${resident.id}`)
        await page.getByTestId('resident-details').waitFor()

        await page.getByTestId('edit-resident').click()
        const dialog = page.getByTestId('edit-dialog')
        await page.getByTestId('edit-room').waitFor()
        await page.getByTestId('edit-presence').getByText('外出').click()
        await page.getByTestId('edit-notes').fill('周末在家')
        await page.getByTestId('edit-save').click()
        await dialog.waitFor({ state: 'hidden' })
        await page.getByText('已保存').waitFor()
        assert.equal(await page.getByTestId('resident-presence').innerText(), '外出')
        await page.getByText('周末在家').waitFor()

        // Someone else changes the resident in between: the save is refused (422) and the page
        // shows the latest values with a word about why.
        await page.getByTestId('edit-resident').click()
        const current = await apiCall(browser.context, server.baseUrl, 'GET', `/residents/${resident.id}`)
        const other = await apiCall(browser.context, server.baseUrl, 'PATCH', `/residents/${resident.id}`, {
            version: current.body.version,
            notes: '另一位工作人员的备注',
        })
        assert.equal(other.status, 200)
        await page.getByTestId('edit-presence').getByText('在住').click()
        const refused = page.waitForResponse((r) => r.request().method() === 'PATCH')
        await page.getByTestId('edit-save').click()
        assert.equal((await refused).status(), 422)
        await page.getByTestId('edit-stale').waitFor()
        await page.waitForFunction(
            () => document.querySelector('textarea[data-testid="edit-notes"]')?.value === '另一位工作人员的备注',
        )
        await screenshot(page, 'registry-edit-stale')
        // Saving again now works, with the new version.
        await page.getByTestId('edit-presence').getByText('在住').click()
        await page.getByTestId('edit-save').click()
        await dialog.waitFor({ state: 'hidden' })
        assert.equal(await page.getByTestId('resident-presence').innerText(), '在住')
        await page.close()
    })

    test('re-issues a personal code after confirmation', { timeout: kTimeout }, async () => {
        const listed = await apiCall(browser.context, server.baseUrl, 'GET', '/residents?page_size=1&page=3')
        const resident = listed.body.items[0]
        const page = await openInChinese(browser.context, server.baseUrl, `/residents/${resident.id}`)
        await page.getByTestId('resident-code').waitFor()
        await page.locator('[data-testid="resident-qr"], [data-testid="resident-qr-missing"]').first().waitFor()

        await page.getByTestId('reissue-code').click()
        const box = page.locator('.el-message-box')
        await box.getByText(`${resident.name} 的旧居民码立即失效`).waitFor()
        await box.getByRole('button', { name: '取消' }).click()
        await box.waitFor({ state: 'hidden' })

        await page.getByTestId('reissue-code').click()
        const reissued = page.waitForResponse((r) => r.url().endsWith('/code/reissue'))
        await box.getByRole('button', { name: '重新签发居民码' }).click()
        assert.equal((await reissued).status(), 200)
        await page.getByText('已重新签发居民码').waitFor()
        await page.close()
    })

    test('adds a grid and a building from the tree', { timeout: kTimeout }, async () => {
        const community = places.streets[0].communities[0]
        const page = await openInChinese(browser.context, server.baseUrl, '/residents')
        await page.getByTestId(`add-under-community:${community.id}`).click()
        await page.getByTestId('place-form').waitFor()
        await page.getByTestId('place-submit').click()
        await page.getByText('请输入名称').waitFor()
        await page.getByTestId('place-name').fill('第九网格')
        await page.getByTestId('place-submit').click()
        await page.getByText('已新增网格「第九网格」').waitFor()
        const node = page.getByTestId('place-tree').getByText('第九网格')
        await node.waitFor()

        const tree = (await apiCall(browser.context, server.baseUrl, 'GET', '/places')).body
        const grid = tree.streets[0].communities[0].grids.find((g) => g.name === '第九网格')
        await page.getByTestId(`add-under-grid:${grid.id}`).click()
        await page.getByTestId('place-parent').getByText('第九网格').waitFor()
        await page.getByTestId('place-name').fill('99栋')
        await page.getByTestId('place-submit').click()
        await page.getByText('已新增楼栋「99栋」').waitFor()
        await page.getByTestId('place-tree').getByText('99栋').waitFor()
        await page.close()
    })

    test('exports the filtered list, masked, and in full only with a reason', { timeout: kTimeout, skip: kNoExport }, async () => {
        const building = places.streets[0].communities[0].grids[0].buildings[2]
        const page = await openInChinese(browser.context, server.baseUrl, `/residents?building=${building.id}`)
        await listSettled(page)

        await page.getByTestId('export').click()
        const masked = page.waitForEvent('download')
        const request = page.waitForRequest((r) => r.url().includes('/residents/export.xlsx'))
        await page.getByTestId('export-masked').click()
        assert.equal(new URL((await request).url()).searchParams.get('building_id'), String(building.id))
        const file = await (await masked).path()
        assert.equal(readFileSync(file).subarray(0, 2).toString(), 'PK', 'an .xlsx (zip)')
        await page.getByText(/^已导出 /).waitFor()

        await page.getByTestId('export').click()
        await page.getByTestId('export-unmasked').click()
        const dialog = page.getByTestId('export-reason')
        await dialog.getByText('将导出当前筛选的').waitFor()
        await dialog.getByText('记入审计日志').waitFor()
        await page.getByTestId('export-reason-submit').click()
        await dialog.getByText('请填写原因').waitFor()
        await page.getByTestId('export-reason-reason').fill('街道核对常住人口名册')
        const unmasked = page.waitForEvent('download')
        const post = page.waitForRequest((r) => r.url().endsWith('/residents/export') && r.method() === 'POST')
        await page.getByTestId('export-reason-submit').click()
        assert.deepEqual(JSON.parse((await post).postData()), {
            filters: { building_id: building.id },
            unmasked: true,
            reason: '街道核对常住人口名册',
        })
        assert.equal(readFileSync(await (await unmasked).path()).subarray(0, 2).toString(), 'PK')
        await dialog.waitFor({ state: 'hidden' })
        await page.close()
    })

    test('shows the QR code and prints cards for a building or a household', { timeout: kTimeout, skip: kNoCards }, async () => {
        const grid = places.streets[0].communities[0].grids[0]
        const building = grid.buildings[0]
        const listed = await apiCall(browser.context, server.baseUrl, 'GET', `/residents?building_id=${building.id}&page_size=1`)
        const resident = listed.body.items[0]
        let page = await openInChinese(browser.context, server.baseUrl, `/residents/${resident.id}`)
        const qr = page.getByTestId('resident-qr')
        await qr.waitFor()
        await page.waitForFunction(() => document.querySelector('[data-testid="resident-qr"]')?.naturalWidth > 0)
        const cards = await page.getByTestId('print-household').getAttribute('href')
        assert.equal(cards, `/api/v1/cards.pdf?household_id=${resident.household_id}`)

        // Straight to the page (its texts load with it, not with the other registry pages).
        await page.close()
        page = await openInChinese(browser.context, server.baseUrl, '/residents/codes')
        await page.getByTestId('codes-page').waitFor()
        await page.getByText('为没有手机的居民打印居民码卡片').waitFor()
        await page.getByTestId('codes-building').click()
        await page.locator('.el-select-dropdown__item:visible', { hasText: `${grid.name} / ${building.name}` }).first().click()
        await page.getByTestId('codes-count').getByText(`${building.residents} 人，${building.households} 户`).waitFor()
        const href = await page.getByTestId('codes-open').getAttribute('href')
        assert.equal(href, `/api/v1/cards.pdf?building_id=${building.id}`)
        const pdf = await browser.context.request.get(server.baseUrl + href)
        assert.equal(pdf.status(), 200)
        assert.equal((await pdf.body()).subarray(0, 5).toString(), '%PDF-')

        await page.getByTestId('codes-mode').getByText('一户').click()
        await page.getByTestId('codes-household').click()
        await page.locator('.el-select-dropdown__item:visible', { hasText: resident.name }).first().click()
        assert.equal(await page.getByTestId('codes-open').getAttribute('href'), `/api/v1/cards.pdf?household_id=${resident.household_id}`)
        await screenshot(page, 'registry-codes')
        await page.close()
    })

    test('lists possible duplicates', { timeout: kTimeout }, async () => {
        const page = await openInChinese(browser.context, server.baseUrl, '/residents')
        await page.getByTestId('open-duplicates').click()
        await page.waitForURL(`${server.baseUrl}/residents/duplicates`)
        await page.locator('[data-testid="duplicate-group"], [data-testid="duplicates-empty"]').first().waitFor()
        const expected = (await apiCall(browser.context, server.baseUrl, 'GET', '/residents/duplicates')).body.groups.length
        assert.equal(await page.getByTestId('duplicate-group').count(), expected)
        await page.close()
    })

    test('works on a phone: places in a drawer, rows stacked, big tap targets', { timeout: kTimeout }, async () => {
        // The persistent context has one viewport for new pages; this page gets a phone's.
        const page = await browser.context.newPage()
        await page.setViewportSize({ width: 390, height: 844 })
        await page.goto(`${server.baseUrl}/residents`)
        await listSettled(page)
        assert.equal(await page.getByTestId('place-tree').count(), 0, 'no tree beside the list')
        await page.getByTestId('choose-place').click()
        const grid = places.streets[0].communities[0].grids[2]
        await page.getByTestId(`place-grid:${grid.id}`).click()
        await page.waitForURL((url) => url.searchParams.get('grid') === String(grid.id))
        await listSettled(page)
        const rows = page.getByTestId('resident-row')
        assert.equal(await rows.count(), Math.min(50, grid.residents))
        // What a finger presses: the fields' frames and the buttons.
        const heights = await page
            .locator('.filters :is(.el-input__wrapper, .el-select__wrapper, button)')
            .evaluateAll((els) => els.map((el) => [el.textContent.trim() || el.className, el.getBoundingClientRect().height]))
        assert.ok(heights.length >= 5, JSON.stringify(heights))
        for (const [what, height] of heights) assert.ok(height >= 44, `${what}: ${height}px`)
        await screenshot(page, 'registry-phone')
        await rows.first().click()
        await page.waitForURL(/\/residents\/\d+$/)
        await page.getByTestId('resident-details').waitFor()
        await screenshot(page, 'registry-phone-detail')
        await page.close()
    })
})
