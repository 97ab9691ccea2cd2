// Simplified Chinese: the default language. Every key here must exist in en.ts as well
// (checked by i18n/messages.test.ts). Group keys by the screen that shows them.
const zhCN = {
    app: {
        name: 'Bulwark 社区防疫',
        skipToContent: '跳到主要内容',
    },
    header: {
        openMenu: '打开导航菜单',
        switchLanguage: '切换语言',
        // The switch names the language it switches to, in that language.
        otherLanguage: 'English',
    },
    nav: {
        label: '主导航',
        dashboard: '概览',
        residents: '居民',
        rounds: '核酸检测轮次',
        sampling: '采样',
        coverage: '覆盖与漏检',
        results: '结果',
        audit: '审计',
        system: '系统',
    },
    dashboard: {
        serverState: '服务器状态',
        refresh: '刷新',
        retry: '重试',
        loadFailed: '无法获取服务器状态',
        name: '名称',
        version: '版本',
        database: '数据库',
        startedAt: '启动时间',
        serverTime: '服务器时间',
        uptime: '已运行',
        uptimeValue: '{days} 天 {hours} 小时 {minutes} 分钟',
        clockSkew: '本机时钟与服务器相差约 {seconds} 秒，请校准本机时间，以免采样时间记录有误。',
        databases: {
            sqlite: 'SQLite（单机）',
            postgresql: 'PostgreSQL',
        },
    },
    notFound: {
        title: '页面不存在',
        detail: '地址 {path} 没有对应的页面。',
        back: '返回概览',
    },
    errors: {
        network_error: '无法连接服务器，请检查网络后重试。',
        bad_response: '服务器返回了无法识别的响应（HTTP {status}）。',
        code: '错误代码：{code}',
    },
}

export type Messages = typeof zhCN
export default zhCN
