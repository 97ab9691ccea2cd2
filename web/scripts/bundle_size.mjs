// Prints the size of the built app (web/dist): what the first visit must load (the entry script,
// its preloaded imports and the stylesheets named in index.html) and every lazy chunk, raw and
// gzip-compressed. Exits 1 when the first load exceeds the budget (--budget-kb=N, gzip KiB).
//   node scripts/bundle_size.mjs [--budget-kb=160]
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist')
const budgetArg = process.argv.find((arg) => arg.startsWith('--budget-kb='))
const budgetKiB = budgetArg ? Number(budgetArg.split('=')[1]) : 160

const html = readFileSync(join(dist, 'index.html'), 'utf8')
const initial = new Set(
    [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)].map((match) => match[1]),
)

const kib = (bytes) => (bytes / 1024).toFixed(1).padStart(7)
const rows = readdirSync(join(dist, 'assets'))
    .filter((name) => /\.(js|css)$/.test(name))
    .map((name) => {
        const body = readFileSync(join(dist, 'assets', name))
        return { name: `assets/${name}`, raw: body.length, gzip: gzipSync(body, { level: 9 }).length }
    })
    .sort((a, b) => Number(initial.has(b.name)) - Number(initial.has(a.name)) || b.gzip - a.gzip)

console.log('   raw KiB  gzip KiB  file')
for (const row of rows) {
    console.log(`${kib(row.raw)}   ${kib(row.gzip)}  ${row.name}${initial.has(row.name) ? '  (first load)' : ''}`)
}
const first = rows.filter((row) => initial.has(row.name))
const sum = (list, key) => list.reduce((total, row) => total + row[key], 0)
const firstJs = first.filter((row) => row.name.endsWith('.js'))
const firstCss = first.filter((row) => row.name.endsWith('.css'))
console.log(
    `first load: JS ${kib(sum(firstJs, 'gzip')).trim()} KiB + CSS ${kib(sum(firstCss, 'gzip')).trim()} KiB` +
        ` = ${kib(sum(first, 'gzip')).trim()} KiB gzip (${kib(sum(first, 'raw')).trim()} KiB raw);` +
        ` budget ${budgetKiB} KiB gzip`,
)
if (sum(first, 'gzip') > budgetKiB * 1024) {
    console.error('first load is over budget')
    process.exit(1)
}
