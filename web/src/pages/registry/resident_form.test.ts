import { describe, expect, it } from 'vitest'

import type { Resident } from '@/api/registry'

import { householdsOf } from './households'
import { formOf, patchOf, reasonProblem } from './resident_form'

const resident: Resident = {
    id: 7,
    household_id: 70,
    building_id: 4,
    grid_id: 3,
    community_id: 2,
    street_id: 1,
    street: '演示街道',
    community: '雅仕居社区',
    grid: '第一网格',
    building: '1栋',
    unit: '2单元',
    room: '1203',
    name: '张三',
    name_initials: 'zs',
    doc_type: 'id_card',
    doc_number: '990101********1234',
    phone: '199****0001',
    sex: 'male',
    birth_date: '1950-01-01',
    age: 74,
    residency: 'permanent',
    presence: 'present',
    tags: ['elderly_60', 'chronic'],
    notes: '',
    code_issued_at: 1,
    created_at: 1,
    updated_at: 1,
    version: 3,
}

describe('resident edit form', () => {
    it('starts from the resident, without the document or phone, with the tags staff set', () => {
        const form = formOf(resident)
        expect(form.docNumber).toBe('')
        expect(form.phone).toBe('')
        expect(form.tags).toEqual(['chronic'])
        expect(patchOf(resident, form)).toEqual({})
    })

    it('sends only what changed', () => {
        const form = { ...formOf(resident), name: ' 张三丰 ', room: '1204', presence: 'away' as const, tags: ['chronic', 'disabled'] }
        expect(patchOf(resident, form)).toEqual({ name: '张三丰', room: '1204', presence: 'away', tags: ['chronic', 'disabled'] })
        expect(patchOf(resident, { ...formOf(resident), tags: ['chronic'] })).toEqual({})
    })

    it('sends a document number or phone only when one is typed', () => {
        expect(patchOf(resident, { ...formOf(resident), phone: ' 19900000002 ' })).toEqual({ phone: '19900000002' })
        expect(patchOf(resident, { ...formOf(resident), docNumber: '990101195001011239' })).toEqual({
            doc_number: '990101195001011239',
        })
        expect(patchOf(resident, { ...formOf(resident), docType: 'none', docNumber: 'E99' })).toEqual({ doc_type: 'none' })
    })

    it('leaves sex and birth date to the ID number, edits them for other documents', () => {
        expect(patchOf(resident, { ...formOf(resident), sex: 'female', birthDate: '1960-01-01' })).toEqual({})
        expect(patchOf(resident, { ...formOf(resident), docType: 'passport', docNumber: 'E99000001', sex: 'female' })).toEqual({
            doc_type: 'passport',
            doc_number: 'E99000001',
            sex: 'female',
        })
    })

    it('wants a reason in a few words', () => {
        expect(reasonProblem('  ')).toBe('reasonRequired')
        expect(reasonProblem('查')).toBe('reasonTooShort')
        expect(reasonProblem('核对身份')).toBeNull()
        expect(reasonProblem('查'.repeat(201))).toBe('reasonTooLong')
    })
})

describe('households for printing', () => {
    it('groups residents by household in the order they come', () => {
        const others = [
            { ...resident, id: 8, name: '李四' },
            { ...resident, id: 9, name: '王五', household_id: 71, room: '1301' },
            { ...resident, id: 10, name: '赵六' },
        ]
        expect(householdsOf([resident, ...others])).toEqual([
            { id: 70, unit: '2单元', room: '1203', names: ['张三', '李四', '赵六'] },
            { id: 71, unit: '2单元', room: '1301', names: ['王五'] },
        ])
    })
})
