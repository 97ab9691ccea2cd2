import { describe, expect, it } from 'vitest'

import { classifyScan } from './scan_input'

const token = 'abcdefghijklmnopqrstuvwx23'

describe('classifyScan', () => {
    it('reads a personal code alone, upper-case, or at the end of a link', () => {
        expect(classifyScan(token)).toEqual({ kind: 'code', token })
        expect(classifyScan(`${token.toUpperCase()}\r\n`)).toEqual({ kind: 'code', token })
        expect(classifyScan(`https://example.invalid/c/${token}`)).toEqual({ kind: 'code', token })
        expect(classifyScan(`https://example.invalid/scan?code=${token}`)).toEqual({ kind: 'code', token })
    })

    it('takes other labels as barcodes, folding full-width characters', () => {
        expect(classifyScan('T2022040100017')).toEqual({ kind: 'barcode', barcode: 'T2022040100017' })
        expect(classifyScan('ＴＵ１２３')).toEqual({ kind: 'barcode', barcode: 'TU123' })
        expect(classifyScan(' 990-123 ')).toEqual({ kind: 'barcode', barcode: '990-123' })
        // One character short of a code is a barcode, not a code.
        expect(classifyScan(token.slice(1))).toEqual({ kind: 'barcode', barcode: token.slice(1) })
    })

    it('says what it cannot read', () => {
        expect(classifyScan('   ')).toEqual({ kind: 'empty' })
        expect(classifyScan('张三 3栋')).toEqual({ kind: 'unreadable', text: '张三 3栋' })
        expect(classifyScan('x'.repeat(65)).kind).toBe('unreadable')
    })
})
