import { api } from './client'

// GET /api/v1/system/info: what the server is and how it runs. Times are Unix milliseconds.
export interface SystemInfo {
    name: string
    version: string
    database: 'sqlite' | 'postgresql'
    started_at: number
    server_time: number
}

export function getSystemInfo(signal?: AbortSignal): Promise<SystemInfo> {
    return api.get<SystemInfo>('/system/info', { signal })
}
