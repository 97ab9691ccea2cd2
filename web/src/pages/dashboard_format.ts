// Formatting for the overview page, kept apart from the component so it is tested alone.

export interface Uptime {
    days: number
    hours: number
    minutes: number
}

export function splitUptime(startedAtMs: number, nowMs: number): Uptime {
    const minutes = Math.max(0, Math.floor((nowMs - startedAtMs) / 60_000))
    return {
        days: Math.floor(minutes / 1440),
        hours: Math.floor((minutes % 1440) / 60),
        minutes: minutes % 60,
    }
}

// Only a difference over this many seconds is worth a warning: request latency and the
// server's own rounding stay well below it.
export const kClockSkewWarnSeconds = 60

// Seconds the device's clock is behind (negative) or ahead (positive) of the server's, rounded;
// `receivedAtMs` is the device's time when the answer arrived.
export function clockSkewSeconds(serverTimeMs: number, receivedAtMs: number): number {
    return Math.round((receivedAtMs - serverTimeMs) / 1000)
}

export function formatDateTime(ms: number, locale: string): string {
    return new Intl.DateTimeFormat(locale, {
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
        hour12: false,
    }).format(new Date(ms))
}
