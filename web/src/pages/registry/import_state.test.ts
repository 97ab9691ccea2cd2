import { describe, expect, it } from 'vitest'

import type { ImportColumn } from '@/api/registry'

import {
    assignField,
    canApply,
    canRemap,
    columnLabel,
    columnLetter,
    isBusy,
    mappingOf,
    missingFields,
    percent,
    pollDelay,
    remapChange,
    rowsWithErrors,
    sameMapping,
    sortedErrors,
    stepOf,
} from './import_state'

const columns: ImportColumn[] = [
    { index: 0, header: '序号', field: null },
    { index: 1, header: '姓名', field: 'name' },
    { index: 2, header: '身份证号', field: 'doc_number' },
    { index: 3, header: '楼栋', field: 'building' },
    { index: 4, header: '房号', field: 'room' },
    { index: 5, header: '手机', field: null },
]

describe('import wizard steps', () => {
    it('follows the import status', () => {
        expect(stepOf(null)).toBe(0)
        expect(stepOf('parsing')).toBe(1)
        expect(stepOf('checked')).toBe(1)
        expect(stepOf('applying')).toBe(2)
        expect(stepOf('failed')).toBe(1)
        expect(stepOf('applied')).toBe(4)
        expect(isBusy('parsing')).toBe(true)
        expect(isBusy('applying')).toBe(true)
        expect(isBusy('checked')).toBe(false)
        expect(isBusy(null)).toBe(false)
    })

    it('applies only a checked import with rows and no errors', () => {
        expect(canApply({ status: 'checked', error_count: 0, rows_total: 10 })).toBe(true)
        expect(canApply({ status: 'checked', error_count: 1, rows_total: 10 })).toBe(false)
        expect(canApply({ status: 'checked', error_count: 0, rows_total: 0 })).toBe(false)
        expect(canApply({ status: 'parsing', error_count: 0, rows_total: 10 })).toBe(false)
        expect(canApply({ status: 'applied', error_count: 0, rows_total: 10 })).toBe(false)
        expect(canApply(null)).toBe(false)
    })

    it('shows progress in percent and polls quickly, then every 2 s', () => {
        expect(percent({ done: 0, total: 0 })).toBe(0)
        expect(percent({ done: 37, total: 100 })).toBe(37)
        expect(percent({ done: 2, total: 3 })).toBe(67)
        expect(percent({ done: 120, total: 100 })).toBe(100)
        expect(percent(undefined)).toBe(0)
        expect(pollDelay(0)).toBe(400)
        expect(pollDelay(3)).toBe(1000)
        expect(pollDelay(50)).toBe(2000)
    })
})

describe('column mapping', () => {
    it('gives every field a column or -1', () => {
        const mapping = mappingOf(columns)
        expect(mapping.name).toBe(1)
        expect(mapping.doc_number).toBe(2)
        expect(mapping.phone).toBe(-1)
        expect(Object.keys(mapping)).toHaveLength(14)
    })

    it('moves a field from the column that had it', () => {
        const phone = assignField(columns, 5, 'phone')
        expect(mappingOf(phone).phone).toBe(5)
        const moved = assignField(phone, 0, 'name')
        expect(moved.find((c) => c.index === 1)?.field).toBeNull()
        expect(mappingOf(moved).name).toBe(0)
        const ignored = assignField(moved, 2, null)
        expect(mappingOf(ignored).doc_number).toBe(-1)
        // The input is left as it was.
        expect(columns[1].field).toBe('name')
        expect(sameMapping(columns, columns.map((c) => ({ ...c })))).toBe(true)
        expect(sameMapping(columns, phone)).toBe(false)
    })

    it('re-checks with another sheet, else header row, else the mapping', () => {
        const imp = { columns, sheet: 1, header_row: 2 }
        expect(remapChange(imp, columns, 1, 2)).toBeNull()
        expect(remapChange(imp, assignField(columns, 5, 'phone'), 0, 3)).toEqual({ sheet: 0 })
        expect(remapChange(imp, assignField(columns, 5, 'phone'), 1, 3)).toEqual({ header_row: 3 })
        const change = remapChange(imp, assignField(columns, 5, 'phone'), 1, 2)
        expect(change?.mapping?.phone).toBe(5)
        expect(change?.mapping?.name).toBe(1)
        expect(change?.sheet).toBeUndefined()
        // No header row was found (0): the field left empty changes nothing.
        expect(remapChange({ ...imp, header_row: 0 }, columns, 1, 0)).toBeNull()
        expect(canRemap({ status: 'checked', sheets: [{ index: 0, name: 'Sheet1' }] })).toBe(true)
        expect(canRemap({ status: 'failed', sheets: [{ index: 0, name: 'Sheet1' }] })).toBe(true)
        expect(canRemap({ status: 'failed', sheets: [] })).toBe(false)
        expect(canRemap({ status: 'parsing', sheets: [{ index: 0, name: 'Sheet1' }] })).toBe(false)
    })

    it('names the required fields no column feeds', () => {
        expect(missingFields(columns)).toEqual([])
        expect(missingFields(assignField(columns, 4, null))).toEqual(['room'])
        expect(missingFields([])).toEqual(['name', 'building', 'room'])
    })
})

describe('import errors', () => {
    it('names columns as a spreadsheet does', () => {
        expect(columnLetter(0)).toBe('A')
        expect(columnLetter(25)).toBe('Z')
        expect(columnLetter(26)).toBe('AA')
        expect(columnLetter(27)).toBe('AB')
        expect(columnLetter(701)).toBe('ZZ')
        expect(columnLetter(702)).toBe('AAA')
        expect(columnLabel(2, columns, '列')).toBe('身份证号 (C 列)')
        expect(columnLabel(9, columns, '列')).toBe('J 列')
        expect(columnLabel('身份证号', columns, '列')).toBe('身份证号')
        expect(columnLabel(null, columns, '列')).toBe('')
    })

    it('lists errors in row order and counts the rows', () => {
        const errors = [
            { row: 37, column: 2, field: 'doc_number', message: '第 37 行 身份证号: 校验位错误' },
            { row: 5, column: 4, field: 'room', message: '第 5 行 房号: 不能为空' },
            { row: 37, column: 5, field: 'phone', message: '第 37 行 联系电话: 号码无效' },
        ]
        expect(sortedErrors(errors).map((e) => e.row)).toEqual([5, 37, 37])
        expect(errors[0].row).toBe(37)
        expect(rowsWithErrors(errors)).toBe(2)
    })
})
