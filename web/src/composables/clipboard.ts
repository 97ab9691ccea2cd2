// Copies `text` to the clipboard; resolves to false when the browser would not (then the page
// asks the person to select and copy it themselves). The Clipboard API needs a secure context
// (HTTPS or 127.0.0.1); a server reached over plain HTTP on the LAN gets the older way.
export async function copyText(text: string): Promise<boolean> {
    try {
        if (window.isSecureContext && navigator.clipboard) {
            await navigator.clipboard.writeText(text)
            return true
        }
    } catch {
        // Denied or unavailable: try the older way.
    }
    const area = document.createElement('textarea')
    area.value = text
    area.setAttribute('readonly', '')
    area.style.position = 'fixed'
    area.style.top = '0'
    area.style.opacity = '0'
    document.body.append(area)
    area.select()
    let copied = false
    try {
        copied = document.execCommand('copy')
    } catch {
        copied = false
    }
    area.remove()
    return copied
}
