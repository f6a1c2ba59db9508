/**
 * One list of subpaths, kept in step everywhere it is written down: package.json `exports` (the
 * built files), jsr.json (the sources, for Deno users), tsconfig.json `paths` (the examples'
 * imports inside this repository), and the wrangler.toml / examples/deno aliases.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

const root = resolve(import.meta.dirname, '../..')
const read = (file: string) => JSON.parse(readFileSync(join(root, file), 'utf8'))
const pkg = read('package.json') as { version: string; exports: Record<string, string | { default: string }> }
const jsr = read('jsr.json') as { version: string; exports: Record<string, string> }
const paths = (read('tsconfig.json') as { compilerOptions: { paths: Record<string, string[]> } })
  .compilerOptions.paths

/** `./dist/src/hono/index.js` -> `./src/hono/index.ts`: where each built file comes from. */
const sourceOf = (built: string) => built.replace(/^\.\/dist\//, './').replace(/\.js$/, '.ts')
const subpaths = Object.entries(pkg.exports)
  .filter(([key]) => key !== './package.json')
  .map(([key, target]) => [key, sourceOf((target as { default: string }).default)] as const)
const specifier = (subpath: string) => (subpath === '.' ? 'floodgate' : `floodgate/${subpath.slice(2)}`)

describe('the subpath lists', () => {
  it('jsr.json exports the source of every package.json subpath but the npm-only ones, at the same version', () => {
    // floodgate/express and floodgate/fastify type req.session by augmenting the frameworks'
    // types, which JSR refuses to publish: they are on npm only (the README says so).
    const npmOnly = new Set(['./express', './fastify'])
    expect(jsr.version).toBe(pkg.version)
    expect(jsr.exports).toEqual(Object.fromEntries(subpaths.filter(([key]) => !npmOnly.has(key))))
    for (const [, source] of subpaths) expect(existsSync(join(root, source)), source).toBe(true)
  })

  it('tsconfig paths map every subpath to its source', () => {
    expect(paths).toEqual(Object.fromEntries(subpaths.map(([key, source]) => [specifier(key), [source]])))
  })

  it('the wrangler.toml and examples/deno aliases point where the package does', () => {
    const sources = new Map(subpaths.map(([key, source]) => [specifier(key), source]))
    const toml = readFileSync(join(root, 'wrangler.toml'), 'utf8')
    const aliases = [...toml.matchAll(/^"(floodgate[^"]*)" = "([^"]+)"$/gm)]
    expect(aliases.length).toBeGreaterThan(0)
    for (const [, name, target] of aliases) expect(target, name).toBe(sources.get(name!))
    const deno = read('examples/deno/deno.json') as { imports: Record<string, string> }
    for (const [name, target] of Object.entries(deno.imports)) {
      expect(target.replace(/^\.\.\/\.\.\//, './'), name).toBe(sources.get(name))
    }
  })
})
