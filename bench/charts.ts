/**
 * `npm run bench:charts [dir]`: renders every `<bench>.json` report in `dir` (default `docs/perf`,
 * the committed figures) as `<bench>.svg` beside it. `npm run bench:charts -- bench/results` draws
 * the last local runs instead; copy a JSON to docs/perf/ to publish its figures.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { renderChart } from './chart-svg.ts'
import type { Report } from './report.ts'

const dir = resolve(process.argv[2] ?? join(import.meta.dirname, '../docs/perf'))
const reports = readdirSync(dir).filter((name) => name.endsWith('.json'))
if (reports.length === 0) {
  console.error(`no <bench>.json reports in ${dir}: run \`npm run bench <name>\` first`)
  process.exit(2)
}
for (const name of reports) {
  const report = JSON.parse(readFileSync(join(dir, name), 'utf8')) as Report
  const file = join(dir, name.replace(/\.json$/, '.svg'))
  writeFileSync(file, renderChart(report))
  console.log(`${file}: ${report.ratios.length} bars`)
}
