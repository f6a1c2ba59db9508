/**
 * `npm run bench [name ...]`: runs each benchmark in `bench/<name>/index.ts` in its own process,
 * one after another (they share 2 cores; running them together would skew every figure).
 *
 * floodgate is measured as it ships: the package is built first (`npm run build`) and every
 * process of a bench, forked contenders and the bridge included, loads `dist/` instead of the
 * TypeScript sources (`built.mjs`). `BENCH_FROM=src` runs the sources through tsx instead.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'

const root = import.meta.dirname
const all = readdirSync(root, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(root, entry.name, 'index.ts')))
  .map((entry) => entry.name)
  .sort()
const wanted = process.argv.slice(2)
const unknown = wanted.filter((name) => !all.includes(name))
if (unknown.length > 0) {
  console.error(`unknown benchmark ${unknown.join(', ')}; there are: ${all.join(', ')}`)
  process.exit(2)
}
const fromSources = process.env.BENCH_FROM === 'src'
const env = { ...process.env }
if (!fromSources) {
  const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: join(root, '..'), stdio: 'inherit' })
  if (build.status !== 0) {
    console.error('npm run build failed: the benches measure the built package')
    process.exit(1)
  }
  env.NODE_OPTIONS = `${env.NODE_OPTIONS ?? ''} --import=${join(root, 'built.mjs')}`.trim()
}
let failed = 0
for (const name of wanted.length > 0 ? wanted : all) {
  console.log(`\n## bench/${name}${fromSources ? ' (from the sources)' : ''}`)
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(root, name, 'index.ts')], {
    stdio: 'inherit',
    env,
  })
  if (run.status !== 0) failed++
}
process.exit(failed === 0 ? 0 : 1)
