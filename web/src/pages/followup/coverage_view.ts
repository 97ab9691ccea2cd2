import type { CoverageFigures, CoverageLevel, Progress } from '@/api/followup'

// The coverage page's arithmetic and drill-down, kept apart from the page so it can be tested.

// The level below `level` in the drill-down (street → community → grid → building → unit), or
// null at the bottom.
export function childLevel(level: CoverageLevel): CoverageLevel | null {
    const order: CoverageLevel[] = ['community', 'grid', 'building', 'unit']
    const at = order.indexOf(level)
    return at >= 0 && at + 1 < order.length ? order[at + 1] : null
}

// One step of the drill-down: the rows shown are `level` under `parent` (null: the round's
// whole community). `name` is what the breadcrumb shows for the step.
export interface DrillStep {
    level: CoverageLevel
    parentId: number | null
    name: string
}

// The steps after opening `row` (a row of the last step's level): its children, or the same
// path when the row has none (a unit).
export function drillInto(path: DrillStep[], row: { level: CoverageLevel; id: number; name: string }): DrillStep[] {
    const next = childLevel(row.level)
    if (!next) return path
    return [...path, { level: next, parentId: row.id, name: row.name }]
}

// Back to step `index` of the breadcrumb.
export function drillBack(path: DrillStep[], index: number): DrillStep[] {
    return path.slice(0, Math.max(1, Math.min(index + 1, path.length)))
}

// The server gives percent = sampled*100/(in_scope-exempt) with one decimal (100.0 when everyone
// in scope is exempt); shown as "97.5%", and "—" for a place with nobody in scope.
export function percentText(figures: Pick<CoverageFigures, 'in_scope' | 'percent'> & Partial<CoverageFigures>): string {
    if (figures.in_scope <= 0) return '—'
    return `${figures.percent.toFixed(1)}%`
}

// A row's key in the table: unit rows carry their building's id (units have no id of their own),
// so the name is part of it.
export function rowKey(row: { level: string; id: number; name: string }): string {
    return `${row.level}:${row.id}:${row.name}`
}

// The colour of a percentage: done, nearly, behind.
export function percentTone(percent: number): 'success' | 'warning' | 'danger' {
    if (percent >= 95) return 'success'
    if (percent >= 80) return 'warning'
    return 'danger'
}

// The cumulative progress as [time, sampled] pairs for a line chart (times in ms, sorted).
export function progressPoints(progress: Progress): [number, number][] {
    return [...progress.cumulative].sort((a, b) => a.at - b.at).map((p) => [p.at, p.sampled])
}

// Samples per site per hour as bar series aligned on the same hours: `hours` is every hour any
// site has (sorted), each series one site's counts for those hours (0 where it had none).
export function siteHourSeries(progress: Progress): { hours: number[]; series: { name: string; data: number[] }[] } {
    const hours = [...new Set(progress.per_site_hour.flatMap((site) => site.hours.map((h) => h.hour_start)))].sort((a, b) => a - b)
    const series = progress.per_site_hour.map((site) => {
        const byHour = new Map<number, number>()
        for (const h of site.hours) byHour.set(h.hour_start, (byHour.get(h.hour_start) ?? 0) + h.samples)
        return { name: site.site_name, data: hours.map((hour) => byHour.get(hour) ?? 0) }
    })
    return { hours, series }
}

// "08:00" for an hour start, in the browser's time zone.
export function hourLabel(at: number): string {
    const d = new Date(at)
    return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`
}
