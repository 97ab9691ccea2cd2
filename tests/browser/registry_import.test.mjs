// The import wizard against the real server (issue 4), from choosing a file to an applied import:
// a CSV with a bad check digit and a missing room is refused row by row; the corrected file's
// unrecognised phone column is mapped by hand and checked again; applying shows what was
// created; importing it again changes nothing; a reload continues the wizard; an .xlsx made by
// openpyxl (tests/fixtures/import) with an instructions sheet before the data; 10,000 rows with
// the progress shown while they are checked and applied. The CSVs are
// written here from synthetic people (region code 990001, born 1905, so no demo resident shares
// a number). Needs `npm run build` in web/ and a BULWARK_BIN with the import routes.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'

import { choose, kRepoRoot, launchBrowser, openInChinese, routesOfBin, screenshot, signIn, startServer } from './lib.mjs'

const kTimeout = 120_000

function skipReason() {
    const bin = process.env.BULWARK_BIN
    if (!bin) {
        return 'BULWARK_BIN is unset: the import wizard is tested only against the real server'
    }
    return routesOfBin().includes('/api/v1/imports/residents') ? false : `${bin} has no import routes yet`
}
const kSkip = skipReason()

const kStaff = {
    username: 'import.staff',
    displayName: '社区工作人员乙',
    role: 'staff',
    scope: 'street:1',
    password: 'browser-import-staff-pw',
}

// ---- synthetic people ----
const kWeights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
const kCheck = '10X98765432'

// An 18-character ID (ISO 7064 MOD 11-2); `wrongCheck` gives it the next check character.
function idNumber(birth, seq, sex, wrongCheck = false) {
    const first17 = `990001${birth}${String(seq).padStart(2, '0')}${sex === '男' ? 1 : 2}`
    const sum = [...first17].reduce((total, digit, i) => total + Number(digit) * kWeights[i], 0)
    const check = kCheck[sum % 11]
    return first17 + (wrongCheck ? kCheck[(kCheck.indexOf(check) + 1) % 11] : check)
}

const kPeople = [
    { name: '柏青松', birth: '19050301', seq: 61, sex: '男', phone: '19900000961', room: '101' },
    { name: '柏雨桐', birth: '19050412', seq: 62, sex: '女', phone: '19900000962', room: '101' },
    { name: '顾晓岚', birth: '19050520', seq: 63, sex: '女', phone: '19900000963', room: '102' },
    { name: '顾明远', birth: '19050628', seq: 64, sex: '男', phone: '19900000964', room: '201' },
    { name: '司马南星', birth: '19050705', seq: 65, sex: '男', phone: '19900000965', room: '202' },
]

// A roster as a community keeps it: a title row, then the header; "住户电话" is no header the
// server knows, so the phone column must be mapped by hand. `bad`: person 2 (file row 4) gets a
// wrong check digit and person 4 (row 6) no room.
function roster(bad) {
    const lines = ['浏览器测试花名册 (合成数据)', '姓名,身份证号,住户电话,性别,网格,楼栋,单元,房号,备注']
    kPeople.forEach((p, i) => {
        const id = idNumber(p.birth, p.seq, p.sex, bad && i === 1)
        const room = bad && i === 3 ? '' : p.room
        lines.push([p.name, id, p.phone, p.sex, '测试网格', '88栋', '1单元', room, i === 0 ? '"独居, 需上门"' : ''].join(','))
    })
    return `\ufeff${lines.join('\r\n')}\r\n`
}

// A large roster: `count` synthetic people in new buildings of one new grid, nine a day from
// 1906 on (older than anyone the demo makes, so no number is shared).
function largeRoster(count) {
    const lines = ['姓名,身份证号,性别,网格,楼栋,房号']
    const start = Date.UTC(1906, 0, 1)
    for (let i = 0; i < count; i++) {
        const day = new Date(start + Math.floor(i / 9) * 86_400_000)
        const birth = day.toISOString().slice(0, 10).replaceAll('-', '')
        const sex = i % 2 ? '女' : '男'
        const id = idNumber(birth, 90 + (i % 9), sex)
        lines.push([`测${String.fromCharCode(0x4e00 + (i % 2000))}${String.fromCharCode(0x4e00 + Math.floor(i / 2000))}`, id, sex, '大样本网格', `${100 + Math.floor(i / 500)}栋`, `${101 + (i % 500)}`].join(','))
    }
    return `${lines.join('\n')}\n`
}

async function chooseFile(page, path) {
    await page.locator('[data-testid="import-page"] input[type="file"]').setInputFiles(path)
    await page.getByTestId('import-chosen').waitFor()
}

async function confirmApply(page) {
    await page.getByTestId('import-apply').click()
    const box = page.locator('.el-message-box')
    await box.getByText('全部成功，或者一行也不导入').waitFor()
    await box.locator('.el-button--primary').click()
    await page.getByTestId('import-summary').waitFor({ timeout: 60_000 })
}

const figure = async (page, which) => Number((await page.getByTestId(`summary-${which}`).locator('.number').innerText()).trim())

describe('import wizard (real server)', { skip: kSkip }, () => {
    let server
    let browser
    let dir
    let goodCsv
    let badCsv

    before(async () => {
        dir = mkdtempSync(join(tmpdir(), 'bulwark-import-'))
        goodCsv = join(dir, '花名册.csv')
        badCsv = join(dir, '花名册-有错.csv')
        writeFileSync(goodCsv, roster(false))
        writeFileSync(badCsv, roster(true))
        server = await startServer({ commands: [['demo']], users: [kStaff] })
        console.log(`# server: ${server.kind} at ${server.baseUrl}`)
        browser = await launchBrowser({ viewport: { width: 1280, height: 900 } })
        await signIn(browser.context, server, kStaff)
    })

    after(async () => {
        await browser?.close()
        await server?.stop()
        if (dir) rmSync(dir, { recursive: true, force: true })
    })

    test('refuses bad rows, then imports the corrected file after mapping a column', { timeout: kTimeout }, async () => {
        const page = await openInChinese(browser.context, server.baseUrl, '/residents')
        await page.locator('[data-testid="side-nav"] [role="menuitem"]', { hasText: '导入居民' }).click()
        await page.waitForURL(`${server.baseUrl}/residents/import`)
        assert.equal(await page.title(), '导入居民 · Bulwark 社区防疫')
        // One community in scope: chosen already.
        await page.getByTestId('import-community').getByText('演示街道 / 雅仕居社区').waitFor()
        assert.ok(await page.getByTestId('import-upload').isDisabled(), 'nothing to upload yet')

        // 1. The file with mistakes: every bad row listed, nothing to apply.
        await chooseFile(page, badCsv)
        assert.match(await page.getByTestId('import-chosen').innerText(), /花名册-有错\.csv/)
        await page.getByTestId('import-upload').click()
        await page.waitForURL((url) => Boolean(url.searchParams.get('id')))
        await page.getByTestId('import-has-errors').waitFor({ timeout: 30_000 })
        const messages = await page.getByTestId('import-error-message').allInnerTexts()
        assert.ok(messages.includes('第 4 行 身份证号: 校验位错误'), messages.join(' | '))
        assert.ok(messages.some((m) => m.startsWith('第 6 行 房号')), messages.join(' | '))
        assert.deepEqual(await page.getByTestId('import-error-row').allInnerTexts(), ['4', '6'])
        assert.match(await page.getByTestId('import-error-count').innerText(), /2 处错误，涉及 2 行/)
        assert.ok(await page.getByTestId('import-apply').isDisabled(), 'no apply with errors')
        await screenshot(page, 'import-errors')

        // 2. Another file: the corrected one.
        await page.getByTestId('import-another').click()
        await page.waitForURL(`${server.baseUrl}/residents/import`)
        await chooseFile(page, goodCsv)
        await page.getByTestId('import-upload').click()
        await page.waitForURL((url) => Boolean(url.searchParams.get('id')))
        await page.getByTestId('import-ok').waitFor({ timeout: 30_000 })
        assert.match(await page.getByTestId('import-ok').innerText(), /5 行数据没有错误/)
        const headers = await page.getByTestId('mapping-header').allInnerTexts()
        assert.deepEqual(headers, ['姓名', '身份证号', '住户电话', '性别', '网格', '楼栋', '单元', '房号', '备注'])
        const phoneSelect = page.getByTestId('mapping-select-2')
        assert.equal(await phoneSelect.locator('.el-select__selected-item:not(.is-hidden)').first().innerText(), '不导入')
        assert.equal(await page.getByTestId('mapping-select-1').locator('.el-select__selected-item:not(.is-hidden)').first().innerText(), '证件号码')

        // A reload continues where the wizard was.
        await page.reload()
        await page.getByTestId('import-ok').waitFor()
        assert.deepEqual(await page.getByTestId('mapping-header').allInnerTexts(), headers)

        // 3. Map 住户电话 to the phone; until checked again, nothing can be applied.
        await choose(page, phoneSelect, '联系电话')
        assert.ok(await page.getByTestId('import-apply').isDisabled(), 'apply waits for the re-check')
        const rechecked = page.waitForResponse((r) => r.url().endsWith('/mapping') && r.request().method() === 'PUT')
        await page.getByTestId('import-recheck').click()
        assert.equal((await rechecked).status(), 202)
        await page.getByTestId('import-ok').waitFor({ timeout: 30_000 })
        await page.waitForFunction(() => !document.querySelector('[data-testid="import-apply"]')?.disabled)
        assert.equal(await phoneSelect.locator('.el-select__selected-item:not(.is-hidden)').first().innerText(), '联系电话')
        await screenshot(page, 'import-checked')

        // 4. Apply: all five are new.
        await confirmApply(page)
        assert.equal(await figure(page, 'created'), 5)
        assert.equal(await figure(page, 'updated'), 0)
        assert.equal(await figure(page, 'unchanged'), 0)
        assert.match(await page.getByTestId('summary-places').innerText(), /网格 1 个、楼栋 1 栋、住户 4 户/)
        await screenshot(page, 'import-applied')

        // They are in the register, phone included (masked, its last four kept).
        await page.getByTestId('import-view-residents').click()
        await page.waitForURL(`${server.baseUrl}/residents`)
        await page.getByTestId('resident-search').fill('顾明远')
        await page.getByTestId('resident-search-submit').click()
        await page.waitForURL((url) => url.searchParams.get('q') === '顾明远')
        await page.getByTestId('resident-phone').filter({ hasText: '0964' }).waitFor()
        assert.match(await page.getByTestId('resident-address').first().innerText(), /88栋 1单元 201/)
        await page.close()
    })

    test('importing the same file again changes nothing', { timeout: kTimeout }, async () => {
        const page = await browser.context.newPage()
        await page.goto(`${server.baseUrl}/residents/import`)
        await chooseFile(page, goodCsv)
        await page.getByTestId('import-upload').click()
        await page.getByTestId('import-ok').waitFor({ timeout: 30_000 })
        await choose(page, page.getByTestId('mapping-select-2'), '联系电话')
        await page.getByTestId('import-recheck').click()
        await page.getByTestId('import-ok').waitFor({ timeout: 30_000 })
        await page.waitForFunction(() => !document.querySelector('[data-testid="import-apply"]')?.disabled)
        await confirmApply(page)
        assert.equal(await figure(page, 'created'), 0)
        assert.equal(await figure(page, 'unchanged'), 5)
        await page.close()
    })

    test('shows progress while a large file is checked and applied', { timeout: 240_000 }, async () => {
        const file = join(dir, '大样本.csv')
        writeFileSync(file, largeRoster(10_000))
        const page = await browser.context.newPage()
        // Remember every progress line the page shows, however briefly.
        await page.addInitScript(() => {
            window.__progress = []
            new MutationObserver(() => {
                for (const id of ['import-parsing', 'import-applying']) {
                    const text = document.querySelector(`[data-testid="${id}"] p`)?.textContent?.trim()
                    if (text && window.__progress.at(-1) !== text) window.__progress.push(text)
                }
            }).observe(document, { subtree: true, childList: true, characterData: true })
        })
        await page.goto(`${server.baseUrl}/residents/import`)
        await chooseFile(page, file)
        await page.getByTestId('import-upload').click()
        await page.getByTestId('import-ok').waitFor({ timeout: 120_000 })
        assert.match(await page.getByTestId('import-ok').innerText(), /10000 行数据没有错误/)
        await confirmApply(page)
        assert.equal(await figure(page, 'created'), 10_000)
        const seen = await page.evaluate(() => window.__progress)
        console.log(`# progress lines: ${seen.length}, e.g. ${seen.slice(0, 3).join(' | ')}`)
        assert.ok(seen.some((line) => line.startsWith('正在读取')), seen.join(' | '))
        assert.ok(seen.some((line) => line.startsWith('正在导入')), seen.join(' | '))
        await page.close()
    })

    test('imports an .xlsx whose data sheet follows an instructions sheet', { timeout: kTimeout }, async () => {
        const page = await browser.context.newPage()
        await page.goto(`${server.baseUrl}/residents/import`)
        await chooseFile(page, join(kRepoRoot, 'tests', 'fixtures', 'import', 'residents_good.xlsx'))
        await page.getByTestId('import-upload').click()
        await page.getByTestId('import-ok').waitFor({ timeout: 30_000 })
        // Several sheets: the one with the data was found, and can be changed.
        await page.getByTestId('import-sheet').waitFor()
        assert.match(await page.getByTestId('import-check').innerText(), /共 8 行数据/)
        await confirmApply(page)
        const created = await figure(page, 'created')
        const updated = await figure(page, 'updated')
        assert.equal(created + updated + (await figure(page, 'unchanged')), 8)
        await page.close()
    })
})
