import type { Import, ImportColumn, ImportError, ImportField, ImportStatus, MappingChange } from '@/api/registry'
import { kImportFields } from '@/api/registry'

// The import wizard's logic: which step an import is at, the column mapping the user edits,
// and how errors read. Pure functions; ImportPage.vue holds the state.

// ---- steps ----
// The active step of the wizard's four (choose file, check, apply, summary); 4 when all are done.
// A failure, in checking or in applying (which writes nothing), goes back to the check: the
// server keeps the file, so the user corrects the mapping or chooses another file there.
export type WizardStep = 0 | 1 | 2 | 3 | 4

export function stepOf(status: ImportStatus | null): WizardStep {
    switch (status) {
        case null:
            return 0
        case 'parsing':
        case 'checked':
        case 'failed':
            return 1
        case 'applying':
            return 2
        case 'applied':
            return 4
    }
}

// Whether the server is still working on it (the page polls GET imports/:id until not).
export function isBusy(status: ImportStatus | null): boolean {
    return status === 'parsing' || status === 'applying'
}

// Whether "apply" may be pressed: checked, with rows and without a single error.
export function canApply(imp: Pick<Import, 'status' | 'error_count' | 'rows_total'> | null): boolean {
    return imp !== null && imp.status === 'checked' && imp.error_count === 0 && imp.rows_total > 0
}

// Whether the sheet, header row or mapping may be changed now (the server re-checks then).
export function canRemap(imp: Pick<Import, 'status' | 'sheets'> | null): boolean {
    return imp !== null && (imp.status === 'checked' || imp.status === 'failed') && imp.sheets.length > 0
}

// 0–100 for a progress bar; 0 while the total is not yet known.
export function percent(progress: { done: number; total: number } | undefined): number {
    if (!progress || progress.total <= 0) return 0
    return Math.min(100, Math.max(0, Math.round((100 * progress.done) / progress.total)))
}

// How long to wait before asking again: quickly at first, then every 2 s.
export function pollDelay(attempt: number): number {
    return Math.min(2000, 400 + attempt * 200)
}

// ---- the column mapping ----
// field → column index; -1 for "not in the file". The shape PUT imports/:id/mapping takes.
export type Mapping = Record<ImportField, number>

export function mappingOf(columns: readonly ImportColumn[]): Mapping {
    const mapping = Object.fromEntries(kImportFields.map((field) => [field, -1])) as Mapping
    for (const column of columns) {
        if (column.field && mapping[column.field] === -1) mapping[column.field] = column.index
    }
    return mapping
}

// The columns with `field` given to the column at `index` (null: ignore that column). A field
// feeds one column at most, so a column that had it loses it.
export function assignField(columns: readonly ImportColumn[], index: number, field: ImportField | null): ImportColumn[] {
    return columns.map((column) => {
        if (column.index === index) return { ...column, field }
        if (field !== null && column.field === field) return { ...column, field: null }
        return column
    })
}

export function sameMapping(a: readonly ImportColumn[], b: readonly ImportColumn[]): boolean {
    const x = mappingOf(a)
    const y = mappingOf(b)
    return kImportFields.every((field) => x[field] === y[field])
}

// What to send to re-check: another sheet, else another header row (either makes the server
// recognise the columns afresh, so no mapping goes with it), else the edited mapping. Null
// when nothing changed.
export function remapChange(
    imp: Pick<Import, 'columns' | 'sheet' | 'header_row'>,
    columns: readonly ImportColumn[],
    sheet: number,
    headerRow: number,
): MappingChange | null {
    if (sheet !== imp.sheet) return { sheet }
    if (headerRow !== imp.header_row && headerRow >= 1) return { header_row: headerRow }
    if (!sameMapping(columns, imp.columns)) return { mapping: mappingOf(columns) }
    return null
}

// Fields without which no row can be imported (a resident needs a name and an address).
export const kRequiredFields: readonly ImportField[] = ['name', 'building', 'room']

export function missingFields(columns: readonly ImportColumn[]): ImportField[] {
    const mapping = mappingOf(columns)
    return kRequiredFields.filter((field) => mapping[field] < 0)
}

// ---- errors ----
// A column as people name it: a spreadsheet letter for an index (0 → A, 27 → AB), with the
// header when the file has one ("身份证号 (C 列)").
export function columnLetter(index: number): string {
    let n = index
    let out = ''
    do {
        out = String.fromCharCode(65 + (n % 26)) + out
        n = Math.floor(n / 26) - 1
    } while (n >= 0)
    return out
}

export function columnLabel(column: ImportError['column'], columns: readonly ImportColumn[], columnWord: string): string {
    if (column === null || column === undefined || column === '') return ''
    if (typeof column === 'number') {
        const header = columns.find((c) => c.index === column)?.header.trim()
        const letter = `${columnLetter(column)} ${columnWord}`
        return header ? `${header} (${letter})` : letter
    }
    return column
}

// The errors in row order (the server lists at most the first 500); errors of a row together.
export function sortedErrors(errors: readonly ImportError[]): ImportError[] {
    return [...errors].sort((a, b) => a.row - b.row)
}

// The distinct rows with errors, for "共 N 行有错误".
export function rowsWithErrors(errors: readonly ImportError[]): number {
    return new Set(errors.map((e) => e.row)).size
}
