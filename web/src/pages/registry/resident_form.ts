import type { DocType, Presence, Residency, Resident, ResidentPatch, Sex } from '@/api/registry'
import { kStoredTags } from '@/api/registry'

// The edit form of a resident's page. The stored document number and phone are never in the
// form (the page has only their masked values): their fields start empty and mean "unchanged"
// unless something is typed.
export interface ResidentForm {
    name: string
    docType: DocType
    docNumber: string
    phone: string
    sex: Sex
    birthDate: string
    buildingId: number
    unit: string
    room: string
    residency: Residency
    presence: Presence
    tags: string[]
    notes: string
}

export function formOf(resident: Resident): ResidentForm {
    return {
        name: resident.name,
        docType: resident.doc_type,
        docNumber: '',
        phone: '',
        sex: resident.sex,
        birthDate: resident.birth_date,
        buildingId: resident.building_id,
        unit: resident.unit,
        room: resident.room,
        residency: resident.residency,
        presence: resident.presence,
        // 60+ and 80+ come from the birth date; only the tags staff set are edited.
        tags: resident.tags.filter((tag) => (kStoredTags as readonly string[]).includes(tag)),
        notes: resident.notes,
    }
}

// Sex and birth date come from a national ID number; they are edited only for other documents.
export function derivesFromId(docType: DocType): boolean {
    return docType === 'id_card'
}

const sameSet = (a: readonly string[], b: readonly string[]) =>
    a.length === b.length && a.every((x) => b.includes(x))

// The PATCH body for what changed between `resident` and `form` ({} when nothing did).
export function patchOf(resident: Resident, form: ResidentForm): ResidentPatch {
    const before = formOf(resident)
    const patch: ResidentPatch = {}
    const name = form.name.trim()
    if (name !== before.name) patch.name = name
    if (form.docType !== before.docType) patch.doc_type = form.docType
    const docNumber = form.docNumber.trim()
    if (docNumber && form.docType !== 'none') patch.doc_number = docNumber
    // Switching to "none" drops the stored number; the server does that when doc_type comes alone.
    const phone = form.phone.trim()
    if (phone) patch.phone = phone
    if (!derivesFromId(form.docType)) {
        if (form.sex !== before.sex) patch.sex = form.sex
        if (form.birthDate !== before.birthDate) patch.birth_date = form.birthDate
    }
    if (form.buildingId !== before.buildingId) patch.building_id = form.buildingId
    if (form.unit.trim() !== before.unit) patch.unit = form.unit.trim()
    if (form.room.trim() !== before.room) patch.room = form.room.trim()
    if (form.residency !== before.residency) patch.residency = form.residency
    if (form.presence !== before.presence) patch.presence = form.presence
    if (!sameSet(form.tags, before.tags)) patch.tags = [...form.tags]
    if (form.notes.trim() !== before.notes) patch.notes = form.notes.trim()
    return patch
}

// A reason for unmasking, as the server wants it: said in a few words, not blank.
export const kMinReasonLength = 2
export const kMaxReasonLength = 200

export function reasonProblem(reason: string): 'reasonRequired' | 'reasonTooShort' | 'reasonTooLong' | null {
    const text = reason.trim()
    if (!text) return 'reasonRequired'
    if ([...text].length < kMinReasonLength) return 'reasonTooShort'
    if ([...text].length > kMaxReasonLength) return 'reasonTooLong'
    return null
}
