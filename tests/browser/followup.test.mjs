// Coverage and follow-up against the real server (issue 6):
//   a grid worker on a phone opens 我的漏检, taps to call (the phone is fetched in full on the tap
//   and opened as a tel: link), records "tested elsewhere" with where and when (one Idempotency-Key
//   for the attempt), and the person leaves their list at once; meanwhile the coverage page, open
//   in another browser and polling, shows the missed count drop and the exempt count rise
//   without a reload. "Unreachable" keeps a person on the list with the attempt shown.
//   The grid worker's menu holds 我的漏检 and 入户采样 only; the staff's every page.
//   A health-code change requested by one staff member shows no approve button to them, and is
//   approved by a second person.
// Needs a built app (BULWARK_WEB_DIST or web/dist) and BULWARK_BIN; skipped without it. Test data
// (places, residents with synthetic ID numbers and phones, a site, an open round, two scans) is
// made through the API by an administrator.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'

import { kAdmin, kPhone, launchBrowser, screenshot, signIn, touchTargets } from './lib.mjs'
import { addResident, makePlaces, makeRound, makeSite, pollUntil, sampleTube, startSeededServer } from './seed.mjs'

const kTimeout = 180_000
const kSkip = process.env.BULWARK_BIN
    ? false
    : 'BULWARK_BIN is unset: the follow-up pages are tested only against the real server ' +
      '(BULWARK_BIN=/path/to/bulwark npm run test:browser)'

// Community staff of community 1 (the first made), who request health-code changes.
const kStaff = {
    username: 'staff.zhao',
    displayName: '赵社工',
    role: 'staff',
    scope: 'community:1',
    password: 'browser-staff-password-1',
}
// The grid worker of grid 1 (the first grid made): missed residents of the grid are theirs.
const kGridWorker = {
    username: 'grid.liu',
    displayName: '刘网格员',
    role: 'grid_worker',
    scope: 'grid:1',
    password: 'browser-grid-password-1',
}

const kNames = ['张伟', '王芳', '李娜', '刘敏', '陈静', '杨丽']

// One community, one grid, one building of six people; an open round; the first two sampled.
async function makeWorld(api) {
    const { street, community, grid, building } = await makePlaces(api)
    const people = []
    for (let n = 0; n < kNames.length; n++) {
        people.push(await addResident(api, { building, n: n + 1, name: kNames[n], room: String(101 + 100 * n) }))
    }
    const site = await makeSite(api, community)
    const round = await makeRound(api, community, site)
    const tokens = people.slice(0, 2).map((person) => person.token)
    await sampleTube(api, { round, site, table: site.tables[0], barcode: 'TUBE-F001', poolSize: 10, tokens })
    return { street, community, grid, building, people, site, round }
}

const figure = async (page, id) => Number((await page.getByTestId(id).innerText()).trim())

async function waitForFigure(page, id, expected, timeoutMs = 15_000) {
    const reads = async () => {
        const last = await figure(page, id).catch(() => NaN)
        return last === expected || `${last}`
    }
    await pollUntil(reads, timeoutMs, `${id} to read ${expected}`)
}

describe('coverage and follow-up (real server)', { skip: kSkip }, () => {
    let server
    let api
    let world
    let staffBrowser
    let phoneBrowser

    before(async () => {
        ;({ server, api, world } = await startSeededServer([kAdmin, kStaff, kGridWorker], makeWorld))
        staffBrowser = await launchBrowser({ viewport: { width: 1280, height: 900 } })
        phoneBrowser = await launchBrowser(kPhone)
        await signIn(staffBrowser.context, server, kAdmin)
        await signIn(phoneBrowser.context, server, kGridWorker)
    })

    after(async () => {
        await staffBrowser?.close()
        await phoneBrowser?.close()
        await api?.dispose()
        await server?.stop()
    })

    test('a grid worker records outcomes on a phone and the coverage page follows without reloading', { timeout: kTimeout }, async () => {
        // The coverage page, open at the administrator's desk, polling.
        const desk = await staffBrowser.context.newPage()
        await desk.goto(`${server.baseUrl}/rounds`)
        await desk.getByTestId('round-coverage').first().click()
        await desk.getByTestId('coverage-page').waitFor()
        assert.match(desk.url(), new RegExp(`/coverage\\?round=${world.round.id}$`))
        await waitForFigure(desk, 'coverage-in-scope', 6)
        assert.equal(await figure(desk, 'coverage-sampled'), 2)
        assert.equal(await figure(desk, 'coverage-exempt'), 0)
        assert.equal(await figure(desk, 'coverage-missed'), 4)
        assert.equal((await desk.getByTestId('coverage-percent').innerText()).trim(), '33.3%')
        // Drill down: the grid, then its building, then the units.
        await desk.getByTestId('coverage-row').filter({ hasText: '第1网格' }).click()
        await desk.getByTestId('coverage-row').filter({ hasText: '3栋' }).click()
        await desk.getByTestId('coverage-row').filter({ hasText: '1单元' }).waitFor()
        await desk.getByTestId('coverage-charts').waitFor()
        // Both charts drew: ECharts puts a canvas in each chart's element.
        await desk.locator('[data-testid="coverage-charts"] .chart:nth-child(2) canvas').first().waitFor()
        assert.equal(await desk.locator('[data-testid="coverage-charts"] .chart:has(canvas)').count(), 2)
        const deskRequests = []
        desk.on('request', (r) => {
            if (r.url().includes(`/rounds/${world.round.id}/coverage`)) deskRequests.push(Date.now())
        })

        // The grid worker's phone.
        const phone = await phoneBrowser.context.newPage()
        const attemptRequests = []
        const phoneReveals = []
        phone.on('request', (r) => {
            if (r.method() === 'POST' && r.url().endsWith('/attempts')) attemptRequests.push(r.headers()['idempotency-key'])
            if (r.method() === 'POST' && r.url().endsWith('/phone')) phoneReveals.push(r.url())
        })
        await phone.goto(`${server.baseUrl}/followups/mine`)
        await phone.getByTestId('mine-page').waitFor()
        await phone.getByTestId('mine-card').first().waitFor()
        assert.equal(await phone.getByTestId('mine-card').count(), 4)
        assert.equal((await phone.getByTestId('mine-remaining').innerText()).trim(), '还有 4 人未检')
        // Names and phones stay masked until a call is asked for.
        const listed = await phone.getByTestId('mine-page').innerText()
        for (const person of world.people) assert.ok(!listed.includes(person.phone), `full phone ${person.phone} shown`)

        // The menu: 我的漏检 and 入户采样, not the staff's pages.
        await phone.getByTestId('menu-button').tap()
        const drawer = phone.locator('.nav-drawer')
        await drawer.waitFor({ state: 'visible' })
        const items = (await drawer.locator('[role="menuitem"]').allInnerTexts()).map((text) => text.trim())
        assert.ok(items.includes('我的漏检') && items.includes('入户采样'), JSON.stringify(items))
        for (const staffOnly of ['漏检名单', '检测覆盖率', '连续漏检', '日报', '健康码变更']) {
            assert.ok(!items.includes(staffOnly), `${staffOnly} in a grid worker's menu: ${JSON.stringify(items)}`)
        }
        await drawer.locator('[role="menuitem"]', { hasText: '我的漏检' }).tap()
        await drawer.waitFor({ state: 'hidden' })

        // Large touch targets on the cards.
        for (const target of await touchTargets(phone, '[data-testid="mine-card"]')) {
            assert.ok(target.height >= 44, `${target.text}: ${target.width}x${target.height}`)
        }

        // Tap to call: the full phone comes from the reveal route and the page opens a tel: link.
        // Headless Chromium has no dialer (its external-protocol prompt stalls the page), so the
        // link's click is recorded instead of followed.
        await phone.evaluate(() => {
            const click = HTMLAnchorElement.prototype.click
            HTMLAnchorElement.prototype.click = function () {
                if (this.protocol === 'tel:') window.__dialed = this.getAttribute('href')
                else click.call(this)
            }
        })
        const third = world.people[2]
        const thirdCard = phone.locator(`[data-testid="mine-card"][data-resident="${third.id}"]`)
        await thirdCard.getByTestId('mine-call').click()
        const tel = thirdCard.getByTestId('mine-tel')
        await tel.waitFor()
        assert.equal(await tel.getAttribute('href'), `tel:${third.phone}`)
        assert.equal(await phone.evaluate(() => window.__dialed), `tel:${third.phone}`)
        assert.equal(phoneReveals.length, 1)

        // Tested elsewhere: where and when are asked for, and the person leaves the list at once.
        await thirdCard.getByTestId('mine-record').click()
        const dialog = phone.getByTestId('attempt-dialog')
        await dialog.waitFor()
        await dialog.locator('[data-outcome="tested_elsewhere"]').click()
        await dialog.getByTestId('attempt-submit').click()
        await dialog.getByText('请填写检测地点').waitFor()
        await dialog.getByTestId('attempt-place').fill('市第一人民医院')
        const testedAt = new Date(Date.now() - 2 * 3_600_000)
        const pad = (n) => String(n).padStart(2, '0')
        const testedText = `${testedAt.getFullYear()}-${pad(testedAt.getMonth() + 1)}-${pad(testedAt.getDate())} ${pad(testedAt.getHours())}:${pad(testedAt.getMinutes())}`
        const when = dialog.getByTestId('attempt-tested-at').locator('input').first()
        await when.fill(testedText)
        await when.press('Enter')
        await dialog.getByTestId('attempt-note').fill('本人电话确认，昨天在医院做了核酸')
        await dialog.getByTestId('attempt-submit').click()
        await dialog.waitFor({ state: 'hidden' })
        await thirdCard.waitFor({ state: 'detached' })
        assert.equal(await phone.getByTestId('mine-card').count(), 3)
        await phone.getByTestId('mine-remaining').getByText('还有 3 人未检').waitFor()
        assert.equal(attemptRequests.length, 1)
        assert.match(attemptRequests[0] ?? '', /^[A-Za-z0-9_-]{16,64}$/)

        // The coverage page, untouched, shows it at its next poll.
        const polledBefore = deskRequests.length
        await waitForFigure(desk, 'coverage-missed', 3)
        assert.equal(await figure(desk, 'coverage-exempt'), 1)
        assert.equal(await figure(desk, 'coverage-sampled'), 2)
        assert.equal((await desk.getByTestId('coverage-percent').innerText()).trim(), '40.0%')
        assert.ok(deskRequests.length > polledBefore, 'the coverage page asked again by itself')

        // Unreachable: stays on the list, with the attempt shown; a second attempt gets a new key.
        const fourth = world.people[3]
        const fourthCard = phone.locator(`[data-testid="mine-card"][data-resident="${fourth.id}"]`)
        await fourthCard.getByTestId('mine-record').click()
        await dialog.waitFor()
        await dialog.locator('[data-outcome="unreachable"]').click()
        await dialog.getByTestId('attempt-hint').getByText('仍在漏检名单上').waitFor()
        await dialog.getByTestId('attempt-note').fill('电话无人接听，晚上再打')
        await dialog.getByTestId('attempt-submit').click()
        await dialog.waitFor({ state: 'hidden' })
        await fourthCard.getByTestId('mine-last').getByText('联系不上').waitFor()
        assert.match(await fourthCard.getByTestId('mine-last').innerText(), /已联系 1 次/)
        assert.equal(await phone.getByTestId('mine-card').count(), 3)
        assert.equal(attemptRequests.length, 2)
        assert.notEqual(attemptRequests[1], attemptRequests[0])
        await waitForFigure(desk, 'coverage-missed', 3)
        await screenshot(phone, 'followup-mine-phone')
        await screenshot(desk, 'followup-coverage-desk')

        // The server kept both attempts, each once.
        const missed = await api.get(`/api/v1/rounds/${world.round.id}/missed`)
        assert.equal(missed.total, 3)
        assert.ok(!missed.items.some((item) => item.resident_id === third.id))
        const detail = await api.get(`/api/v1/rounds/${world.round.id}/followups/${third.id}`)
        assert.equal(detail.attempts.length, 1)
        assert.equal(detail.attempts[0].outcome, 'tested_elsewhere')
        assert.equal(detail.attempts[0].place, '市第一人民医院')

        // The missed list at the desk, filtered by building, agrees.
        await desk.goto(`${server.baseUrl}/coverage/missed?round=${world.round.id}&building=${world.building.id}`)
        await desk.getByTestId('missed-page').waitFor()
        await desk.getByTestId('missed-total').getByText('共 3 人').waitFor()
        assert.equal(await desk.getByTestId('missed-name').count(), 3)
        await desk.close()
        await phone.close()
    })

    test('a health-code change asked for by one person is approved by another', { timeout: kTimeout }, async () => {
        const staff = await launchBrowser({ viewport: { width: 1280, height: 900 } })
        try {
            await signIn(staff.context, server, kStaff)
            const page = await staff.context.newPage()
            const person = world.people[4]
            await page.goto(`${server.baseUrl}/coverage/missed?round=${world.round.id}`)
            await page.getByTestId('missed-page').waitFor()
            const row = page.locator('.el-table__row', { hasText: `3栋 1单元 ${person.room}` })
            await row.getByText('申请变更健康码').first().click()
            const dialog = page.getByTestId('code-request-dialog')
            await dialog.waitFor()
            await dialog.getByTestId('code-request-reason').fill('本轮漏检，三次电话未接通')
            await dialog.getByTestId('code-request-evidence').fill('网格员联系记录三次')
            await dialog.getByTestId('code-request-submit').click()
            await dialog.waitFor({ state: 'hidden' })

            // The requester sees the request without approve or reject.
            await page.goto(`${server.baseUrl}/health-codes`)
            await page.getByTestId('code-requests-page').waitFor()
            await page.getByTestId('code-own').first().waitFor()
            assert.equal(await page.getByTestId('code-approve').count(), 0)

            // The administrator, a second person, approves it.
            const desk = await staffBrowser.context.newPage()
            await desk.goto(`${server.baseUrl}/health-codes`)
            await desk.getByTestId('code-approve').first().click()
            await desk.getByTestId('code-decide-note').fill('核实无误')
            await desk.getByTestId('code-decide-submit').click()
            await desk.getByTestId('code-decide-dialog').waitFor({ state: 'hidden' })
            const code = await api.get(`/api/v1/residents/${person.id}/health-code`)
            assert.equal(code.status, 'yellow')
            await desk.close()
        } finally {
            await staff.close()
        }
    })
})
