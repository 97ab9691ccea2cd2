// The one way the app talks to the server: JSON over fetch to /api/v1 on the same origin, with
// the session cookie. Every failure becomes an ApiError, so pages handle one shape.

export const kApiBase = '/api/v1'
export const kCsrfCookie = 'bulwark_csrf'
export const kCsrfHeader = 'X-CSRF-Token'

// Codes the client itself gives, when the server's answer is not its JSON error body.
export const kNetworkError = 'network_error' // no answer at all (offline, server down); status 0
export const kBadResponse = 'bad_response' // an answer that is not the expected JSON

// A failed request: the HTTP status (0 when no answer came), the server's error code and message
// (for people, already in the user's language) and the field it concerns, if any.
export class ApiError extends Error {
    readonly status: number
    readonly code: string
    readonly field: string | null

    constructor(status: number, code: string, message: string, field: string | null = null) {
        super(message)
        this.name = 'ApiError'
        this.status = status
        this.code = code
        this.field = field
    }
}

export function isApiError(value: unknown): value is ApiError {
    return value instanceof ApiError
}

// ---- 401: the session is gone or was never there ----
// The client does not navigate: it tells whoever listens (the login flow, when it exists) and
// still throws, so the page that asked can stop its spinner.
export interface UnauthorizedEvent {
    method: string
    path: string
    error: ApiError
}
type UnauthorizedListener = (event: UnauthorizedEvent) => void
const unauthorizedListeners = new Set<UnauthorizedListener>()

// Registers a listener for 401 answers; returns the function that removes it.
export function onUnauthorized(listener: UnauthorizedListener): () => void {
    unauthorizedListeners.add(listener)
    return () => unauthorizedListeners.delete(listener)
}

function emitUnauthorized(event: UnauthorizedEvent): void {
    for (const listener of [...unauthorizedListeners]) {
        try {
            listener(event)
        } catch (error) {
            console.error('unauthorized listener failed', error)
        }
    }
}

// ---- requests ----
export type Query = Record<string, string | number | boolean | null | undefined>

export interface RequestOptions {
    query?: Query
    body?: unknown
    signal?: AbortSignal
    headers?: Record<string, string>
}

const kSafeMethods = new Set(['GET', 'HEAD', 'OPTIONS'])

export function readCookie(name: string): string | null {
    for (const part of document.cookie.split(';')) {
        const eq = part.indexOf('=')
        if (eq < 0) continue
        if (part.slice(0, eq).trim() === name) {
            try {
                return decodeURIComponent(part.slice(eq + 1).trim())
            } catch {
                return part.slice(eq + 1).trim()
            }
        }
    }
    return null
}

export function buildUrl(path: string, query?: Query): string {
    const url = kApiBase + (path.startsWith('/') ? path : `/${path}`)
    if (!query) return url
    const params = new URLSearchParams()
    for (const [key, value] of Object.entries(query)) {
        if (value !== undefined && value !== null) params.append(key, String(value))
    }
    const text = params.toString()
    return text ? `${url}?${text}` : url
}

// Reads the server's error body {"error":{"code","message","field"}}; anything else becomes
// bad_response with the status, so a proxy's HTML error page never reaches the user as text.
async function errorFromResponse(response: Response): Promise<ApiError> {
    let body: unknown = null
    try {
        body = await response.json()
    } catch {
        body = null
    }
    const error = (body as { error?: unknown } | null)?.error as
        | { code?: unknown; message?: unknown; field?: unknown }
        | undefined
    if (error && typeof error.code === 'string' && typeof error.message === 'string') {
        const field = typeof error.field === 'string' ? error.field : null
        return new ApiError(response.status, error.code, error.message, field)
    }
    return new ApiError(response.status, kBadResponse, `HTTP ${response.status}`)
}

// Sends one request to /api/v1{path}. Resolves with the parsed JSON body (undefined for an empty
// body such as 204); rejects with ApiError on any failure. An abort rejects with the
// AbortError itself, so callers can tell "cancelled" from "failed".
export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const upper = method.toUpperCase()
    const headers: Record<string, string> = { Accept: 'application/json', ...options.headers }
    let body: string | undefined
    if (options.body !== undefined) {
        headers['Content-Type'] = 'application/json'
        body = JSON.stringify(options.body)
    }
    if (!kSafeMethods.has(upper)) {
        const token = readCookie(kCsrfCookie)
        if (token) headers[kCsrfHeader] = token
    }

    let response: Response
    try {
        response = await fetch(buildUrl(path, options.query), {
            method: upper,
            headers,
            body,
            credentials: 'same-origin',
            signal: options.signal,
        })
    } catch (error) {
        if (error instanceof DOMException && error.name === 'AbortError') throw error
        throw new ApiError(0, kNetworkError, error instanceof Error ? error.message : String(error))
    }

    if (!response.ok) {
        const error = await errorFromResponse(response)
        if (response.status === 401) emitUnauthorized({ method: upper, path, error })
        throw error
    }
    const text = await response.text()
    if (text === '') return undefined as T
    try {
        return JSON.parse(text) as T
    } catch {
        throw new ApiError(response.status, kBadResponse, `HTTP ${response.status}`)
    }
}

export const api = {
    get: <T>(path: string, options?: RequestOptions) => request<T>('GET', path, options),
    post: <T>(path: string, body?: unknown, options?: RequestOptions) =>
        request<T>('POST', path, { ...options, body }),
    put: <T>(path: string, body?: unknown, options?: RequestOptions) =>
        request<T>('PUT', path, { ...options, body }),
    patch: <T>(path: string, body?: unknown, options?: RequestOptions) =>
        request<T>('PATCH', path, { ...options, body }),
    delete: <T>(path: string, options?: RequestOptions) => request<T>('DELETE', path, options),
}
