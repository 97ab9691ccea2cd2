// What the volunteer just scanned or typed into the sampling page's one field.
//
// A personal sampling code is the registry's token: 26 characters of base32 ([a-z2-7], 128
// random bits; registry/sealing.cpp). A QR code may carry it alone or at the end of a link
// (…/c/TOKEN or …?code=TOKEN); hardware scanners may send it upper-case. Anything else that
// looks like a label (no spaces, at most 64 characters) is taken as a barcode (a tube's or a
// box's).
export const kCodeTokenPattern = /^[a-z2-7]{26}$/
const kBarcodePattern = /^[\x21-\x7e]{1,64}$/

export type ScanInput =
    | { kind: 'code'; token: string }
    | { kind: 'barcode'; barcode: string }
    | { kind: 'empty' }
    | { kind: 'unreadable'; text: string }

function tokenOf(text: string): string | null {
    const lower = text.toLowerCase()
    if (kCodeTokenPattern.test(lower)) return lower
    if (!/[/?=#]/.test(text)) return null
    try {
        const url = new URL(text, 'https://code.invalid/')
        for (const name of ['code', 'c', 't', 'token']) {
            const value = url.searchParams.get(name)?.toLowerCase()
            if (value && kCodeTokenPattern.test(value)) return value
        }
        const last = url.pathname.split('/').filter(Boolean).at(-1)?.toLowerCase()
        if (last && kCodeTokenPattern.test(last)) return last
    } catch {
        return null
    }
    return null
}

export function classifyScan(raw: string): ScanInput {
    // Scanners add CR/LF or tabs; full-width characters come from Chinese input methods.
    const text = raw
        .replace(/[\uff01-\uff5e]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
        .replace(/[\u0000-\u001f\u007f]/g, '')
        .trim()
    if (text === '') return { kind: 'empty' }
    const token = tokenOf(text)
    if (token) return { kind: 'code', token }
    if (kBarcodePattern.test(text)) return { kind: 'barcode', barcode: text }
    return { kind: 'unreadable', text }
}
