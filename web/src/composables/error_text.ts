import { useI18n } from 'vue-i18n'

import { isApiError, kBadResponse, kNetworkError } from '@/api/client'

// What to tell a person about a failed request: the server's own message (written for people,
// e.g. 「第 37 行 身份证号: 校验位错误」) or, when the server did not answer with one, a
// translated sentence.
export function useErrorText(): (error: unknown) => string {
    const { t } = useI18n()
    return (error: unknown) => {
        if (isApiError(error)) {
            if (error.code === kNetworkError) return t('errors.network_error')
            if (error.code === kBadResponse) return t('errors.bad_response', { status: error.status })
            return error.message
        }
        return error instanceof Error ? error.message : String(error)
    }
}
