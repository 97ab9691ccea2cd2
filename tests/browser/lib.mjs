// Shared helpers for the browser tests: start a server for the built app (web/dist), launch
// Debian's Chromium through playwright-core, and clean both up.
//
// Two servers, chosen by the environment:
//   BULWARK_BIN=/path/to/bulwark  the real server: `bulwark serve --listen 127.0.0.1:0 --data TMP
//                                 --web web/dist`, ready when it prints `listening on http://...`.
//   (unset)                       the harness's own static server below, a stand-in that serves
//                                 web/dist with the same SPA fallback and answers every /api/ call
//                                 with a JSON 404; it has no API at all.
// The app shows its pages only to a signed-in user: `signIn()` below signs in for real (an account
// made by `startServer({ users })` before the server starts) or, on the stand-in, fakes the
// answer to GET /api/v1/auth/me.
// The suites that need the real server make their data through the API: see seed.mjs.
import { execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { createServer } from 'node:http'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, extname, join, normalize, resolve, sep } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
export const kRepoRoot = resolve(here, '..', '..')
export const kWebDist = resolve(process.env.BULWARK_WEB_DIST ?? join(kRepoRoot, 'web', 'dist'))
export const kArtifacts = join(here, 'artifacts')
export const kChromium = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium'

// playwright-core is a dependency of web/, not of this folder: resolve it from there.
const requireFromWeb = createRequire(join(kRepoRoot, 'web', 'package.json'))
const { chromium } = requireFromWeb('playwright-core')

const kServerStartTimeoutMs = 20_000
const kServerStopTimeoutMs = 5_000

function assertBuilt() {
    if (!existsSync(join(kWebDist, 'index.html'))) {
        throw new Error(`${kWebDist}/index.html is missing: run \`npm run build\` in web/ first`)
    }
}

// Starts the server for the tests: the real one when BULWARK_BIN is set, else the harness's
// static stand-in. Resolves to { kind: 'bulwark' | 'harness-static', baseUrl, stop() }.
// `options.users` (real server only): accounts to create first, as for createUser().
// `options.commands` (real server only): `bulwark` commands to run before those, each an
// argument list such as ['demo'] (the synthetic demo community).
export async function startServer(options = {}) {
    assertBuilt()
    const bin = process.env.BULWARK_BIN
    return bin ? startBulwark(bin, options) : startHarnessStaticServer(kWebDist)
}

// The routes that BULWARK_BIN serves (`bulwark routes`, one a line), for skipping what an older
// build does not have yet; '' when BULWARK_BIN is unset.
export function routesOfBin() {
    const bin = process.env.BULWARK_BIN
    if (!bin) return ''
    const data = mkdtempSync(join(tmpdir(), 'bulwark-routes-'))
    try {
        return execFileSync(bin, ['--data', data, 'routes'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
    } finally {
        rmSync(data, { recursive: true, force: true })
    }
}

// ---- accounts ----
// An account for the tests. There is no default account: each is made with `bulwark user add`.
// `role` and `scope` as the command takes them.
export const kStaffUser = {
    username: 'staff',
    displayName: '测试社工',
    role: 'staff',
    scope: 'street:1',
    password: 'browser-test-staff-password',
}

// The street's administrator, who makes the test data through the API.
export const kAdmin = {
    username: 'admin',
    displayName: '王主任',
    role: 'administrator',
    scope: 'street:1',
    password: 'browser-admin-password-1',
}

// Runs `bulwark --data DIR ARGS...` to completion with `input` on its stdin; resolves to its
// stdout, rejects with its output when it fails.
export function runBulwark(bin, dataDir, args, input = '') {
    return new Promise((resolveRun, reject) => {
        const child = spawn(bin, ['--data', dataDir, ...args], { stdio: ['pipe', 'pipe', 'pipe'] })
        let stdout = ''
        let stderr = ''
        child.stdout.on('data', (chunk) => (stdout += chunk))
        child.stderr.on('data', (chunk) => (stderr += chunk))
        child.once('error', reject)
        child.once('exit', (code) => {
            if (code === 0) resolveRun(stdout)
            else reject(new Error(`bulwark ${args.join(' ')} exited with ${code}\n${stdout}${stderr}`))
        })
        child.stdin.end(input)
    })
}

// Creates `user` in the data folder (before the server starts, like the README's first command).
export function createUser(bin, dataDir, user) {
    const args = ['user', 'add', '--username', user.username, '--role', user.role, '--scope', user.scope]
    if (user.displayName) args.push('--display-name', user.displayName)
    args.push('--password-stdin')
    return runBulwark(bin, dataDir, args, `${user.password}\n`)
}

// Signs `context` in as `user`. On the real server: POST /api/v1/auth/login through the context's
// own request API, so the session cookies land in the browser. On the stand-in: GET
// /api/v1/auth/me is answered with `user` (with the permissions of `permissions`), and the CSRF
// cookie a session comes with is set.
export async function signIn(context, server, user = kStaffUser, permissions = ['account.self', 'system.info.read']) {
    if (server.kind === 'bulwark') {
        const response = await context.request.post(`${server.baseUrl}/api/v1/auth/login`, {
            data: { username: user.username, password: user.password },
            headers: { Origin: server.baseUrl },
        })
        if (!response.ok()) throw new Error(`sign-in as ${user.username}: ${response.status()} ${await response.text()}`)
        return
    }
    await playSignedIn(context, server.baseUrl, user, permissions, 'stand-in')
}

// Signs `context` in as `user` as far as the app can tell, on either server: the CSRF cookie
// `csrfToken` that a session comes with, and GET /api/v1/auth/me answered with `user` and
// `permissions`. Every other API call is left to the server or to the test.
export async function playSignedIn(context, baseUrl, user, permissions, csrfToken) {
    // The app asks GET /auth/me only when the CSRF cookie of a session is there.
    await context.addCookies([{ name: 'bulwark_csrf', value: csrfToken, url: baseUrl, sameSite: 'Strict' }])
    await context.route('**/api/v1/auth/me', (route) =>
        route.fulfill({
            json: {
                user: {
                    id: 1,
                    username: user.username,
                    display_name: user.displayName ?? user.username,
                    locked: false,
                    must_change_password: false,
                    created_at: 0,
                    updated_at: 0,
                    grants: [{ role: user.role, scope_kind: user.scope.split(':')[0], scope_id: Number(user.scope.split(':')[1]) }],
                },
                permissions,
                csrf_token: csrfToken,
            },
        }),
    )
}

// ---- the real server ----
export async function startBulwark(bin, options = {}) {
    const dataDir = mkdtempSync(join(tmpdir(), 'bulwark-browser-data-'))
    try {
        for (const args of options.commands ?? []) await runBulwark(bin, dataDir, args)
        for (const user of options.users ?? []) await createUser(bin, dataDir, user)
    } catch (error) {
        rmSync(dataDir, { recursive: true, force: true })
        throw error
    }
    const child = spawn(bin, ['serve', '--listen', '127.0.0.1:0', '--data', dataDir, '--web', kWebDist], {
        stdio: ['ignore', 'pipe', 'pipe'],
    })
    const output = []
    const remember = (line) => {
        output.push(line)
        if (output.length > 50) output.shift()
    }
    createInterface({ input: child.stderr }).on('line', remember)
    const stdout = createInterface({ input: child.stdout })

    const exited = new Promise((resolveExit) => child.once('exit', (code, signal) => resolveExit({ code, signal })))
    const stop = async () => {
        if (child.exitCode === null && child.signalCode === null) {
            child.kill('SIGTERM')
            const timer = setTimeout(() => child.kill('SIGKILL'), kServerStopTimeoutMs)
            await exited
            clearTimeout(timer)
        }
        rmSync(dataDir, { recursive: true, force: true })
    }

    try {
        const baseUrl = await new Promise((resolveUrl, reject) => {
            const timer = setTimeout(
                () => reject(new Error(`${bin} printed no "listening on" line within ${kServerStartTimeoutMs} ms`)),
                kServerStartTimeoutMs,
            )
            stdout.on('line', (line) => {
                remember(line)
                const match = line.match(/listening on (http:\/\/\S+)/)
                if (match) {
                    clearTimeout(timer)
                    resolveUrl(match[1].replace(/\/$/, ''))
                }
            })
            child.once('error', (error) => {
                clearTimeout(timer)
                reject(error)
            })
            exited.then(({ code, signal }) => {
                clearTimeout(timer)
                reject(new Error(`${bin} exited early (code ${code}, signal ${signal})`))
            })
        })
        return { kind: 'bulwark', baseUrl, pid: child.pid, stop }
    } catch (error) {
        await stop()
        throw new Error(`${error.message}\n--- server output ---\n${output.join('\n')}`)
    }
}

// ---- the harness's static stand-in ----
const kContentTypes = {
    '.html': 'text/html; charset=utf-8',
    '.js': 'text/javascript; charset=utf-8',
    '.css': 'text/css; charset=utf-8',
    '.svg': 'image/svg+xml',
    '.png': 'image/png',
    '.ico': 'image/x-icon',
    '.json': 'application/json',
    '.woff2': 'font/woff2',
    '.txt': 'text/plain; charset=utf-8',
}

function sendJson(response, status, body) {
    response.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' })
    response.end(JSON.stringify(body))
}

function sendFile(request, response, file, path) {
    const body = readFileSync(file)
    response.writeHead(200, {
        'Content-Type': kContentTypes[extname(file)] ?? 'application/octet-stream',
        'Content-Length': body.length,
        'Cache-Control': path.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
    })
    response.end(request.method === 'HEAD' ? undefined : body)
}

// Serves `root` on 127.0.0.1 at a free port, like `bulwark serve` serves the app: files as they
// are, /assets/* cached forever, any other GET without a file extension outside /api/ answered
// with index.html. It has no API: /api/* is a JSON 404 in the server's error format.
export async function startHarnessStaticServer(root) {
    const base = resolve(root)
    const server = createServer((request, response) => {
        const url = new URL(request.url, 'http://localhost')
        let path
        try {
            path = decodeURIComponent(url.pathname)
        } catch {
            return sendJson(response, 400, { error: { code: 'invalid_argument', message: 'bad path', field: null } })
        }
        if (path === '/healthz') {
            response.writeHead(200, { 'Content-Length': 0 })
            return response.end()
        }
        if (path === '/api' || path.startsWith('/api/')) {
            return sendJson(response, 404, {
                error: { code: 'not_found', message: `harness static server has no API: ${path}`, field: null },
            })
        }
        if (request.method !== 'GET' && request.method !== 'HEAD') {
            return sendJson(response, 405, { error: { code: 'invalid_argument', message: 'method not allowed', field: null } })
        }
        const file = normalize(join(base, path))
        if (file !== base && !file.startsWith(base + sep)) {
            return sendJson(response, 404, { error: { code: 'not_found', message: 'not found', field: null } })
        }
        if (existsSync(file) && statSync(file).isFile()) return sendFile(request, response, file, path)
        if (extname(path) === '') return sendFile(request, response, join(base, 'index.html'), '/index.html')
        return sendJson(response, 404, { error: { code: 'not_found', message: 'not found', field: null } })
    })
    await new Promise((resolveListen, reject) => {
        server.once('error', reject)
        server.listen(0, '127.0.0.1', resolveListen)
    })
    const { port } = server.address()
    return {
        kind: 'harness-static',
        baseUrl: `http://127.0.0.1:${port}`,
        pid: process.pid,
        stop: () =>
            new Promise((resolveClose) => {
                server.closeAllConnections()
                server.close(() => resolveClose())
            }),
    }
}

// ---- the browser ----
// Launches Chromium on the profile folder `profile` (kept by the caller, so a restart on it keeps
// its storage), with `extraArgs` after the usual flags. `options` go to
// launchPersistentContext (viewport, isMobile, permissions, ...). Resolves to the context.
export function launchChromium(profile, options = {}, extraArgs = []) {
    if (!existsSync(kChromium)) {
        throw new Error(`${kChromium} is missing: apt-get install -y chromium fonts-noto-cjk`)
    }
    return chromium.launchPersistentContext(profile, {
        executablePath: kChromium,
        headless: true,
        locale: 'zh-CN',
        args: [
            '--headless',
            '--no-sandbox',
            '--disable-gpu',
            '--disable-quic',
            '--no-first-run',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
            ...extraArgs,
        ],
        ...options,
    })
}

// The screen of a phone, for launchBrowser() and launchChromium().
export const kPhone = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 }

// Launches Chromium with a fresh profile (a persistent context in a temporary folder, as
// SETUP-NOTES.md says). `options` go to launchPersistentContext (viewport, isMobile, ...).
// Resolves to { context, close() }.
export async function launchBrowser(options = {}) {
    const profile = mkdtempSync(join(tmpdir(), 'bulwark-chromium-'))
    let context
    try {
        context = await launchChromium(profile, options)
    } catch (error) {
        rmSync(profile, { recursive: true, force: true })
        throw error
    }
    return {
        context,
        close: async () => {
            await context.close()
            rmSync(profile, { recursive: true, force: true })
        },
    }
}

// Opens `path` in a new page of `context`, in Chinese whatever an earlier test chose.
export async function openInChinese(context, baseUrl, path) {
    const page = await context.newPage()
    await page.goto(`${baseUrl}/healthz`)
    await page.evaluate(() => window.localStorage.setItem('bulwark.locale', 'zh-CN'))
    await page.goto(baseUrl + path)
    return page
}

// Picks `text` in an Element Plus select (its options live in a popper under <body>).
export async function choose(page, select, text) {
    await select.click()
    const option = page.locator('.el-select-dropdown__item:visible', { hasText: text }).first()
    await option.click()
    await option.waitFor({ state: 'hidden' })
}

// Saves a screenshot into tests/browser/artifacts/ (not committed) and returns its path.
export async function screenshot(page, name) {
    mkdirSync(kArtifacts, { recursive: true })
    const path = join(kArtifacts, `${name}.png`)
    await page.screenshot({ path, fullPage: true })
    return path
}

// The sizes of the visible, on-screen interactive elements under `selector`, for checking
// touch targets: [{ text, width, height }].
export async function touchTargets(page, selector) {
    return page.locator(selector).evaluateAll((roots) => {
        const out = []
        for (const root of roots) {
            for (const el of root.querySelectorAll('a[href], button, [role="menuitem"], input, select')) {
                const box = el.getBoundingClientRect()
                const style = getComputedStyle(el)
                const onScreen = box.bottom > 0 && box.right > 0 && box.top < innerHeight && box.left < innerWidth
                if (box.width === 0 || box.height === 0 || style.visibility === 'hidden' || !onScreen) continue
                const text = (el.getAttribute('aria-label') || el.textContent || el.tagName).trim()
                out.push({ text, width: Math.round(box.width), height: Math.round(box.height) })
            }
        }
        return out
    })
}
