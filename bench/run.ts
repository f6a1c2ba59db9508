/**
 * `npm run bench [name ...]`: runs each benchmark in `bench/<name>/index.ts` in its own process,
 * one after another (they share 2 cores; running them together would skew every figure).
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
let failed = 0
for (const name of wanted.length > 0 ? wanted : all) {
  console.log(`\n## bench/${name}`)
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(root, name, 'index.ts')], {
    stdio: 'inherit',
  })
  if (run.status !== 0) failed++
}
process.exit(failed === 0 ? 0 : 1)
