import type { Messages } from './zh-CN'

// English. Typed against the Chinese messages, so a missing key fails the type check too.
const en: Messages = {
    app: {
        name: 'Bulwark Community Response',
        skipToContent: 'Skip to main content',
    },
    header: {
        openMenu: 'Open navigation menu',
        switchLanguage: 'Switch language',
        otherLanguage: '中文',
    },
    nav: {
        label: 'Main navigation',
        dashboard: 'Overview',
        residents: 'Residents',
        rounds: 'Testing rounds',
        sampling: 'Sampling',
        coverage: 'Coverage & missed',
        results: 'Results',
        audit: 'Audit',
        system: 'System',
    },
    dashboard: {
        serverState: 'Server status',
        refresh: 'Refresh',
        retry: 'Retry',
        loadFailed: 'Could not load the server status',
        name: 'Name',
        version: 'Version',
        database: 'Database',
        startedAt: 'Started at',
        serverTime: 'Server time',
        uptime: 'Uptime',
        uptimeValue: '{days} d {hours} h {minutes} min',
        clockSkew:
            'This device’s clock differs from the server’s by about {seconds} s. Please correct it so that sampling times are recorded right.',
        databases: {
            sqlite: 'SQLite (single server)',
            postgresql: 'PostgreSQL',
        },
    },
    notFound: {
        title: 'Page not found',
        detail: 'There is no page at {path}.',
        back: 'Back to overview',
    },
    errors: {
        network_error: 'Cannot reach the server. Check the network and try again.',
        bad_response: 'The server sent a response that could not be read (HTTP {status}).',
        code: 'Error code: {code}',
    },
}

export default en
