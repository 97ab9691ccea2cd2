// Test data for the browser suites that need the real server (BULWARK_BIN), made through the API
// as an administrator would: an API session, the places, synthetic residents with their codes, a
// site, a round, tubes and scans. The server and browser helpers are in lib.mjs.
import { randomUUID } from 'node:crypto'
import { createRequire } from 'node:module'
import { join } from 'node:path'

import { kAdmin, kRepoRoot, startServer } from './lib.mjs'

const { request } = createRequire(join(kRepoRoot, 'web', 'package.json'))('playwright-core')

// Signs in as `user` with a request context of its own (no browser). Resolves to
// { call(method, path, data, headers) -> { status, body }, get(path), post(path, data, headers),
// dispose() }; get and post resolve to the body and reject on a status of 300 or more.
export async function apiSession(baseUrl, user) {
    const context = await request.newContext({ baseURL: baseUrl, extraHTTPHeaders: { Origin: baseUrl } })
    const login = await context.post('/api/v1/auth/login', { data: { username: user.username, password: user.password } })
    if (!login.ok()) throw new Error(`sign-in as ${user.username}: ${login.status()} ${await login.text()}`)
    const csrf = (await context.storageState()).cookies.find((c) => c.name === 'bulwark_csrf')?.value ?? ''
    const call = async (method, path, data, headers = {}) => {
        const response = await context.fetch(path, { method, data, headers: { 'X-CSRF-Token': csrf, ...headers } })
        const text = await response.text()
        return { status: response.status(), body: text ? JSON.parse(text) : null }
    }
    const ok = async (method, path, data, headers) => {
        const answer = await call(method, path, data, headers)
        if (answer.status >= 300) throw new Error(`${method} ${path}: ${answer.status} ${JSON.stringify(answer.body)}`)
        return answer.body
    }
    return {
        call,
        get: (path) => ok('GET', path),
        post: (path, data, headers) => ok('POST', path, data, headers),
        dispose: () => context.dispose(),
    }
}

// Starts the real server with the accounts `users` (kAdmin among them), opens an API session as
// kAdmin and makes the suite's data with `seed(api)`. Resolves to { server, api, world: what
// seed resolves to }; on failure stops what it started and rejects.
export async function startSeededServer(users, seed) {
    const server = await startServer({ users })
    console.log(`# server: ${server.kind} at ${server.baseUrl}`)
    let api
    try {
        api = await apiSession(server.baseUrl, kAdmin)
        return { server, api, world: await seed(api) }
    } catch (error) {
        await api?.dispose()
        await server.stop()
        throw error
    }
}

// Waits until `check()` resolves to true, asking every 250 ms for at most `timeoutMs`; rejects
// with `what` and the last answer when time runs out.
export async function pollUntil(check, timeoutMs, what) {
    const deadline = Date.now() + timeoutMs
    let last
    while (Date.now() < deadline) {
        last = await check()
        if (last === true) return
        await new Promise((resolve) => setTimeout(resolve, 250))
    }
    throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)})`)
}

// A fresh Idempotency-Key (or `key` field) for one API write, named after `what`.
export const idempotencyKey = (what) => `${what}-${randomUUID()}`

// Synthetic people: ID numbers with region 990 (no real region has it) and a valid check
// character, phones 19900...; `n` tells them apart.
const kIdWeights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
export function syntheticId(n) {
    const body = `99000119900101${String(n).padStart(3, '0')}`
    const sum = [...body].reduce((total, digit, i) => total + Number(digit) * kIdWeights[i], 0)
    return body + '10X98765432'[sum % 11]
}
export const syntheticPhone = (n) => `19900${String(n).padStart(6, '0')}`

// The places every seeded suite starts from: 演示街道 / 雅仕居社区 / 第1网格 / 3栋.
// Resolves to { street, community, grid, building }.
export async function makePlaces(api) {
    const street = await api.post('/api/v1/places/streets', { name: '演示街道', district: '演示区' })
    const community = await api.post('/api/v1/places/communities', { street_id: street.id, name: '雅仕居社区' })
    const grid = await api.post('/api/v1/places/grids', { community_id: community.id, name: '第1网格' })
    const building = await api.post('/api/v1/places/buildings', { grid_id: grid.id, name: '3栋', floors: 18 })
    return { street, community, grid, building }
}

// Registers synthetic person `n` (syntheticId(n), syntheticPhone(n)) named `name` in `room` of
// `building`, unit 1单元, and issues their personal code. Resolves to what was sent to
// POST /residents with the resident's `id` and code `token`.
export async function addResident(api, { building, n, name, room }) {
    const person = {
        building_id: building.id,
        unit: '1单元',
        room,
        name,
        doc_number: syntheticId(n),
        phone: syntheticPhone(n),
    }
    const resident = await api.post('/api/v1/residents', person)
    const code = await api.post(`/api/v1/residents/${resident.id}/code/reissue`)
    return { ...person, id: resident.id, token: code.code_token }
}

// 北门采样点 in `community`, open every day from `open` to `close`, with `tables`.
export function makeSite(api, community, { open = '00:00', close = '23:59', tables = [{ name: '1号台', priority_lane: false }] } = {}) {
    return api.post('/api/v1/sites', {
        community_id: community.id,
        name: '北门采样点',
        address: '雅仕居社区北门广场',
        hours: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, open, close })),
        tables,
    })
}

// A whole-community round of 10-in-1 pools at `site`, open from an hour ago for twelve hours.
export function makeRound(api, community, site) {
    const now = Date.now()
    return api.post('/api/v1/rounds', {
        community_id: community.id,
        name: '雅仕居社区第1轮全员核酸',
        kind: 'whole',
        scope: { kind: 'community', ids: [] },
        starts_at: now - 3_600_000,
        ends_at: now + 12 * 3_600_000,
        pool_size: 10,
        single_tube_tags: [],
        single_tube_control_areas: false,
        site_ids: [site.id],
    })
}

// Opens tube `barcode` (a pool of `poolSize`) at `table` of `site` in `round`, and samples into
// it the people whose code tokens are `tokens`. Resolves to the tube as opened.
export async function sampleTube(api, { round, site, table, barcode, poolSize, tokens = [] }) {
    const tube = await api.post('/api/v1/sampling/tubes', {
        key: idempotencyKey('tube'),
        round_id: round.id,
        site_id: site.id,
        table_id: table.id,
        barcode,
        pool_size: poolSize,
    })
    for (const code of tokens) {
        await api.post('/api/v1/sampling/scans', { key: idempotencyKey('scan'), tube_barcode: barcode, code })
    }
    return tube
}
