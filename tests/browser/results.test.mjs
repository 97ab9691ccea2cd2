// Lab results in the browser against the real server (issue 7):
//   a resident opens their own page from the link on their code card (/r/<token>) on a phone,
//   without signing in: their result and their household's, with sampling and result times, in
//   Chinese and English; a wrong or re-issued code reads 「无效或已失效的二维码」;
//   the lab loads a results file: a dry run lists the bad rows (「第 N 行 ...」) and applies
//   nothing, a good file shows its summary and is applied, and loading it again changes nothing;
//   a pooled tube found positive: the leader's overview shows the alert, which opens the
//   procedure with every member pending a single-tube retest, and the resident's own page tells
//   them to stay home.
// Needs a build of web/ (BULWARK_WEB_DIST) and BULWARK_BIN; skipped without the real server,
// except the first part below: the own page's answer to 429 and its phone layout, with the API's
// answers played by the test (on either server).
// Test data (places, residents with synthetic ID numbers and phones, their code tokens, a site,
// a round, tubes, a box handed to a lab) is made through the API by an administrator.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'

import { kAdmin, kPhone, kStaffUser, launchBrowser, playSignedIn, screenshot, signIn, startServer, touchTargets } from './lib.mjs'
import { addResident, idempotencyKey as key, makePlaces, makeRound, makeSite, sampleTube, startSeededServer } from './seed.mjs'

const kTimeout = 120_000
const kSkip = process.env.BULWARK_BIN
    ? false
    : 'BULWARK_BIN is unset: the results pages are tested only against the real server ' +
      '(BULWARK_BIN=/path/to/bulwark npm run test:browser)'

// The lab's results desk: a grant over lab 1, the first lab made.
const kLab = {
    username: 'lab.results',
    displayName: '金域结果录入员',
    role: 'lab',
    scope: 'lab:1',
    password: 'lab-results-password-1',
}

const kNames = ['张伟强', '张丽芳', '李静敏', '赵磊洋', '刘艳娜', '陈静怡']

// Households in 3栋: 张伟强 and 张丽芳 share room 301; 李静敏, 赵磊洋, 刘艳娜 and 陈静怡 live alone.
// Tube TUBE-R001 (10混1) holds the first two, TUBE-R002 (10混1) the next two, TUBE-R003 and
// TUBE-R004 (single) one each; all four go in a box handed to the lab.
async function makeWorld(api) {
    const { street, community, building } = await makePlaces(api)
    const people = []
    const rooms = ['301', '301', '502', '503', '601', '701']
    for (let n = 0; n < kNames.length; n++) {
        people.push(await addResident(api, { building, n: n + 1, name: kNames[n], room: rooms[n] }))
    }
    const site = await makeSite(api, community)
    const round = await makeRound(api, community, site)
    const lab = await api.post('/api/v1/labs', { name: '金域医学检验实验室' })
    const table = site.tables[0]
    const tubes = [
        ['TUBE-R001', 10, [0, 1]],
        ['TUBE-R002', 10, [2, 3]],
        ['TUBE-R003', 1, [4]],
        ['TUBE-R004', 1, [5]],
    ]
    for (const [barcode, poolSize, members] of tubes) {
        const tokens = members.map((i) => people[i].token)
        const tube = await sampleTube(api, { round, site, table, barcode, poolSize, tokens })
        if (members.length < poolSize) await api.post(`/api/v1/sampling/tubes/${tube.id}/close`, { key: key('close') })
    }
    const box = await api.post('/api/v1/sampling/boxes', { key: key('box'), round_id: round.id, site_id: site.id, barcode: 'BOX-R001' })
    for (const [barcode] of tubes) await api.post(`/api/v1/sampling/boxes/${box.id}/tubes`, { key: key('add'), tube_barcode: barcode })
    await api.post(`/api/v1/sampling/boxes/${box.id}/seal`, { key: key('seal') })
    await api.post(`/api/v1/sampling/boxes/${box.id}/handover`, { key: key('handover'), lab_id: lab.id })
    return { street, community, building, people, site, round, lab, box }
}

describe('results (real server)', { skip: kSkip }, () => {
    let server
    let api
    let world
    let dir

    before(async () => {
        ;({ server, api, world } = await startSeededServer([kAdmin, kLab], makeWorld))
        dir = mkdtempSync(join(tmpdir(), 'bulwark-results-files-'))
        // The lab reports the first pooled tube negative through the JSON API.
        const answer = await api.post(
            '/api/v1/results',
            { lab_id: world.lab.id, results: [{ tube_barcode: 'TUBE-R001', result: 'negative', reported_at: Date.now() }] },
            { 'Idempotency-Key': key('results') },
        )
        assert.equal(answer.new, 1)
    })

    after(async () => {
        if (dir) rmSync(dir, { recursive: true, force: true })
        await api?.dispose()
        await server?.stop()
    })

    test("a resident opens their own page from their code's link, without signing in", { timeout: kTimeout }, async () => {
        const browser = await launchBrowser(kPhone)
        try {
            const page = await browser.context.newPage()
            const [me, spouse] = world.people
            await page.goto(`${server.baseUrl}/r/${me.token}`)
            const own = page.getByTestId('public-me')
            await own.waitFor()
            // No app frame, no sign-in page.
            assert.equal(new URL(page.url()).pathname, `/r/${me.token}`)
            assert.equal(await page.getByTestId('side-nav').count(), 0)
            assert.equal(await page.getByTestId('product-name').count(), 0)
            assert.equal(await own.getByTestId('public-result-value').first().innerText(), '阴性')
            const text = await own.innerText()
            assert.match(text, /雅仕居社区第1轮全员核酸/)
            assert.match(text, /采样时间/)
            assert.match(text, /出结果时间/)
            // Names masked: neither the resident's nor the household member's full name.
            assert.doesNotMatch(text, new RegExp(me.name))
            const member = page.getByTestId('public-member')
            assert.equal(await member.count(), 1)
            assert.doesNotMatch(await member.innerText(), new RegExp(spouse.name))
            assert.equal(await member.getByTestId('public-result-value').first().innerText(), '阴性')
            // Nobody of another household.
            assert.doesNotMatch(await page.getByTestId('public-results').innerText(), /李|赵|刘|陈/)
            assert.equal(await page.getByTestId('public-stay-home').count(), 0)
            await screenshot(page, 'results-own-page-phone')

            await page.getByTestId('public-language').click()
            await page.getByTestId('public-me').getByText('Negative').waitFor()
            assert.equal(await page.evaluate(() => document.documentElement.lang), 'en')
            await page.getByTestId('public-language').click()
            await page.getByTestId('public-me').getByText('阴性').waitFor()

            // Asking for home sampling.
            await page.getByTestId('public-ask').click()
            await page.getByTestId('public-note').fill('老人行动不便')
            await page.getByTestId('public-send').click()
            await page.getByTestId('public-requested').waitFor()

            // A wrong code, and the old code after a re-issue, read the same.
            await page.goto(`${server.baseUrl}/r/abcdefghijklmnopqrstuvwxyz`)
            await page.getByTestId('public-invalid').getByText('无效或已失效的二维码').waitFor()
            const reissued = await api.post(`/api/v1/residents/${world.people[4].id}/code/reissue`)
            await page.goto(`${server.baseUrl}/r/${world.people[4].token}`)
            await page.getByTestId('public-invalid').getByText('无效或已失效的二维码').waitFor()
            world.people[4].token = reissued.code_token
            await page.goto(`${server.baseUrl}/r/${world.people[4].token}`)
            await page.getByTestId('public-me').getByText('待出结果').waitFor()
            await screenshot(page, 'results-own-page-pending-phone')
        } finally {
            await browser.close()
        }
    })

    test('the lab checks a results file, sees its bad rows, then applies a good one once', { timeout: kTimeout }, async () => {
        const browser = await launchBrowser({ viewport: { width: 1280, height: 900 } })
        try {
            await signIn(browser.context, server, kLab)
            const page = await browser.context.newPage()
            // The lab's time as labs write it: China time, to the second.
            const at = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ')
            const bad = join(dir, '金域结果-错误.csv')
            writeFileSync(bad, `试管条码,检测结果,检测时间\nTUBE-R003,阴性,${at}\nTUBE-NOPE,阴性,${at}\nTUBE-R002,阳阳,${at}\n`)
            const good = join(dir, '金域结果.csv')
            writeFileSync(good, `试管条码,检测结果,检测时间\nTUBE-R003,阴性,${at}\n`)

            await page.goto(`${server.baseUrl}/results/import`)
            await page.getByTestId('results-import-page').waitFor()
            await page.locator('[data-testid="results-import-page"] input[type="file"]').setInputFiles(bad)
            await page.getByTestId('results-import-chosen').waitFor()
            await page.getByTestId('results-import-check').click()
            await page.locator('[data-testid="results-import-check-result"][data-status="invalid"]').waitFor()
            const messages = await page.getByTestId('results-import-error-message').allInnerTexts()
            assert.equal(messages.length, 2, messages.join('\n'))
            assert.match(messages[0], /第 3 行/)
            assert.match(messages[0], /试管条码: 未知试管条码/)
            assert.match(messages[1], /第 4 行/)
            assert.equal(await page.getByTestId('results-import-apply').count(), 0)
            await screenshot(page, 'results-import-errors')
            // Nothing was written.
            assert.equal((await api.get(`/api/v1/residents/${world.people[4].id}/results`)).items[0].result, null)

            await page.getByTestId('results-import-again').click()
            await page.locator('[data-testid="results-import-page"] input[type="file"]').setInputFiles(good)
            await page.getByTestId('results-import-check').click()
            await page.locator('[data-testid="results-import-check-result"][data-status="checked"]').waitFor()
            assert.equal(await page.getByTestId('summary-new').innerText(), '1')
            await page.getByTestId('results-import-apply').click()
            await page.locator('.el-message-box__btns .el-button--primary').click()
            await page.getByTestId('results-import-applied').waitFor()
            await screenshot(page, 'results-import-applied')
            const after = (await api.get(`/api/v1/residents/${world.people[4].id}/results`)).items[0]
            assert.equal(after.result, 'negative')
            assert.ok(after.turnaround_minutes >= 0)

            // The same file again: everything unchanged, nothing to apply.
            await page.getByTestId('results-import-again').click()
            await page.locator('[data-testid="results-import-page"] input[type="file"]').setInputFiles(good)
            await page.getByTestId('results-import-check').click()
            await page.locator('[data-testid="results-import-check-result"][data-status="checked"]').waitFor()
            assert.equal(await page.getByTestId('summary-new').innerText(), '0')
            assert.equal(await page.getByTestId('summary-unchanged').innerText(), '1')
            assert.ok(await page.getByTestId('results-import-apply').isDisabled())

            await page.goto(`${server.baseUrl}/results/lab`)
            await page.getByTestId('lab-boxes').getByText('BOX-R001').waitFor()
            await screenshot(page, 'results-lab-overview')
        } finally {
            await browser.close()
        }
    })

    test('a positive pooled tube: the alert, the procedure and the stay-home notice; an invalid tube to sample again', { timeout: kTimeout }, async () => {
        await api.post(
            '/api/v1/results',
            {
                lab_id: world.lab.id,
                results: [
                    { tube_barcode: 'TUBE-R002', result: 'positive', reported_at: Date.now(), ct: { orf1ab: 31.2, n: 30.1 } },
                    { tube_barcode: 'TUBE-R004', result: 'invalid', reported_at: Date.now() },
                ],
            },
            { 'Idempotency-Key': key('positive') },
        )
        const browser = await launchBrowser({ viewport: { width: 1280, height: 900 } })
        try {
            await signIn(browser.context, server, kAdmin)
            const page = await browser.context.newPage()
            await page.goto(`${server.baseUrl}/`)
            const alert = page.getByTestId('alerts-panel').getByTestId('alert').filter({ hasText: 'TUBE-R002' })
            await alert.waitFor()
            assert.match(await alert.innerText(), /混管阳性/)
            await screenshot(page, 'results-dashboard-alert')
            await alert.getByTestId('alert-link').click()
            await page.getByTestId('pool-page').waitFor()
            await page.getByTestId('pool-members').waitFor()
            const statuses = await page.getByTestId('pool-member-status').allInnerTexts()
            assert.deepEqual(statuses, ['待单采复核', '待单采复核'])
            assert.ok((await page.getByTestId('pool-events').innerText()).includes('TUBE-R002'))
            await screenshot(page, 'results-pool')

            // A member's own page in the register shows the result and the mark.
            await page.goto(`${server.baseUrl}/residents/${world.people[2].id}`)
            const results = page.getByTestId('resident-results')
            await results.getByTestId('resident-result-value').getByText('阳性').waitFor()
            assert.match(await results.innerText(), /待单采复核/)

            await page.goto(`${server.baseUrl}/results/invalid?round=${world.round.id}`)
            const invalid = page.getByTestId('invalid-list')
            await invalid.getByText('TUBE-R004').waitFor()
            assert.match(await invalid.innerText(), /待重采/)
            assert.doesNotMatch(await invalid.innerText(), /陈静怡/)
            await screenshot(page, 'results-invalid')
        } finally {
            await browser.close()
        }
        const phone = await launchBrowser(kPhone)
        try {
            const page = await phone.context.newPage()
            await page.goto(`${server.baseUrl}/r/${world.people[2].token}`)
            await page.getByTestId('public-stay-home').getByText('请居家等待').waitFor()
            assert.equal(await page.getByTestId('public-me').getByTestId('public-result-value').first().innerText(), '阳性')
            await screenshot(page, 'results-own-page-stay-home-phone')
        } finally {
            await phone.close()
        }
    })
})

describe("the residents' own page on a phone (answers played by the test)", () => {
    let server
    let browser

    before(async () => {
        server = await startServer()
        browser = await launchBrowser(kPhone)
    })
    after(async () => {
        await browser?.close()
        await server?.stop()
    })

    test('says 请稍后再试 when rate limited, then shows the page; its buttons are large enough to tap', { timeout: kTimeout }, async () => {
        const page = await browser.context.newPage()
        const now = Date.now()
        let limited = true
        await page.route('**/api/v1/public/codes/*/results', (route) =>
            limited
                ? route.fulfill({ status: 429, headers: { 'Retry-After': '30' }, json: { error: { code: 'too_many_requests', message: '请求过于频繁, 请稍后再试', field: null } } })
                : route.fulfill({
                      json: {
                          resident: {
                              name: '张*强',
                              status: 'pending_retest',
                              results: [{ round_name: '第2轮全员核酸', sampled_at: now - 6 * 3_600_000, result: 'positive', reported_at: now - 3_600_000, turnaround_minutes: 300, status: 'pending_retest' }],
                          },
                          household: [],
                      },
                  }),
        )
        await page.goto(`${server.baseUrl}/r/abcdefghijklmnopqrstuvwxyz`)
        await page.getByTestId('public-later').getByText('请稍后再试').waitFor()
        limited = false
        await page.getByTestId('public-later').getByRole('button').click()
        await page.getByTestId('public-stay-home').waitFor()
        assert.match(await page.getByTestId('public-me').innerText(), /5 小时 0 分钟/)
        for (const target of await touchTargets(page, '[data-testid="public-results"]')) {
            assert.ok(target.height >= 44, `${target.text}: ${target.height}px high`)
        }
        // The page does not scroll sideways on a phone.
        assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth))
        await screenshot(page, 'results-own-page-played-phone')
    })
})

describe('conflict review (answers played by the test)', () => {
    let server
    let browser

    before(async () => {
        server = await startServer()
        browser = await launchBrowser({ viewport: { width: 1280, height: 900 } })
        // Signed in as far as the app can tell, on either server: every other call the page
        // makes is answered by the test.
        const staff = { ...kStaffUser, scope: 'community:1' }
        await playSignedIn(browser.context, server.baseUrl, staff, ['account.self', 'results.read', 'results.review'], 'played')
    })
    after(async () => {
        await browser?.close()
        await server?.stop()
    })

    test('a held result is kept or replaced only with a note', { timeout: kTimeout }, async () => {
        const page = await browser.context.newPage()
        const now = Date.now()
        const conflict = {
            id: 7,
            tube_barcode: 'TUBE-R009',
            round_id: 1,
            recorded: { result: 'negative', reported_at: now - 7_200_000, ct: null },
            incoming: { result: 'positive', reported_at: now - 120_000, ct: { orf1ab: 33.1, n: 32 } },
            lab: { id: 1, name: '金域医学检验实验室' },
            created_at: now - 120_000,
            status: 'open',
            resolution: null,
            resolved_by: null,
            resolved_at: null,
            note: '',
        }
        let open = [conflict]
        const posted = []
        await page.route('**/api/v1/results/conflicts?*', (route) => route.fulfill({ json: { total: open.length, items: open } }))
        await page.route('**/api/v1/results/conflicts/*/resolve', (route) => {
            posted.push({ url: new URL(route.request().url()).pathname, body: route.request().postDataJSON(), csrf: route.request().headers()['x-csrf-token'] })
            open = []
            route.fulfill({ json: { ...conflict, status: 'resolved', resolution: 'replace' } })
        })
        await page.goto(`${server.baseUrl}/results/conflicts`)
        const card = page.getByTestId('conflict')
        await card.waitFor()
        assert.equal(await card.getByTestId('conflict-recorded').innerText(), '阴性')
        assert.equal(await card.getByTestId('conflict-incoming').innerText(), '阳性')
        assert.match(await card.innerText(), /ORF1ab 33\.1 · N 32/)
        await card.getByTestId('conflict-resolve').click()
        const dialog = page.getByTestId('conflict-dialog')
        await dialog.getByTestId('conflict-submit').click()
        await dialog.getByText('请填写说明').waitFor()
        assert.equal(posted.length, 0)
        await dialog.getByText('改为新结果').click()
        await dialog.getByText('将立即启动混管阳性处置').waitFor()
        await dialog.getByTestId('conflict-note').fill('已与检测机构电话核实，以复检结果为准')
        await screenshot(page, 'results-conflict-dialog')
        await dialog.getByTestId('conflict-submit').click()
        await page.getByText('没有待复核的结果冲突').waitFor()
        assert.deepEqual(posted, [
            { url: '/api/v1/results/conflicts/7/resolve', body: { decision: 'replace', note: '已与检测机构电话核实，以复检结果为准' }, csrf: 'played' },
        ])
    })
})
