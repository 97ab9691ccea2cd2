import { describe, expect, it } from 'vitest'

import { emptyAuditForm, toAuditFilter } from './audit_filter'
import { kMinPasswordChars, newPasswordProblem, passwordLength } from './password_rules'
import { fromDrafts, newDraft } from './users/grant_drafts'

describe('new password rules', () => {
    it('count characters, not bytes', () => {
        expect(passwordLength('密码密码密码密码密码')).toBe(10)
        expect(passwordLength('😀'.repeat(3))).toBe(3)
    })
    it('need at least 10 characters, not the user name, not the old password', () => {
        expect(kMinPasswordChars).toBe(10)
        expect(newPasswordProblem('short', 'wang')).toBe('tooShort')
        expect(newPasswordProblem('一二三四五六七八九', 'wang')).toBe('tooShort')
        expect(newPasswordProblem('一二三四五六七八九十', 'wang')).toBeNull()
        expect(newPasswordProblem('Wang.Xiaoming', 'wang.xiaoming')).toBe('sameAsUsername')
        expect(newPasswordProblem('correct horse', 'wang', 'correct horse')).toBe('sameAsOld')
        expect(newPasswordProblem('correct horse', 'wang', 'old password')).toBeNull()
    })
})

describe('grant drafts', () => {
    it('start from the administrator’s own first scope', () => {
        expect(newDraft([{ role: 'administrator', scope_kind: 'street', scope_id: 7 }])).toEqual({
            role: 'staff',
            scope_kind: 'street',
            scope_id: 7,
        })
        expect(newDraft([])).toEqual({ role: 'staff', scope_kind: 'community', scope_id: null })
    })
    it('need at least one grant and positive whole scope ids', () => {
        expect(fromDrafts([])).toBe('grantsRequired')
        expect(fromDrafts([{ role: 'scanner', scope_kind: 'site', scope_id: null }])).toBe('scopeIdRequired')
        expect(fromDrafts([{ role: 'scanner', scope_kind: 'site', scope_id: 0 }])).toBe('scopeIdRequired')
        expect(fromDrafts([{ role: 'scanner', scope_kind: 'site', scope_id: 2.5 }])).toBe('scopeIdRequired')
        expect(fromDrafts([{ role: 'scanner', scope_kind: 'site', scope_id: 12 }])).toEqual([
            { role: 'scanner', scope_kind: 'site', scope_id: 12 },
        ])
    })
})

describe('audit filter', () => {
    it('sends only what was filled in', () => {
        expect(toAuditFilter(emptyAuditForm())).toEqual({})
    })
    it('pairs the subject id with its kind and includes the end time', () => {
        const form = { ...emptyAuditForm(), userId: 4, subjectId: 17, action: ' login.failed ', from: 1000, to: 2000 }
        expect(toAuditFilter(form)).toEqual({
            user_id: 4,
            subject_kind: 'resident',
            subject_id: 17,
            action: 'login.failed',
            from: 1000,
            to: 2001,
        })
        expect(toAuditFilter({ ...emptyAuditForm(), subjectKind: 'user' })).toEqual({})
    })
})
