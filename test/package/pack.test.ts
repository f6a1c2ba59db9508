/**
 * The published package, as a user gets it: `npm pack` (which builds `dist/` first), installed
 * from the tarball into a fresh project, every subpath of `exports` type-checked by a consumer
 * under both `NodeNext` and `bundler` resolution and imported at run time where Node can load it.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const root = resolve(import.meta.dirname, '../..')
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  version: string
  exports: Record<string, string | { types: string; default: string }>
  bin: Record<string, string>
}
const subpaths = Object.keys(pkg.exports).filter((key) => key !== './package.json')
const specifier = (subpath: string) => (subpath === '.' ? 'floodgate' : `floodgate/${subpath.slice(2)}`)
/** Subpaths for Node itself: their types need @types/node, as any Node program has. */
const nodeOnly = new Set(['./node', './bridge/node'])
/** Subpaths whose modules Node can load: the Workers adapter imports `cloudflare:sockets`. */
const nodeLoadable = subpaths.filter((subpath) => subpath !== './cloudflare')

const run = (command: string, args: string[], cwd: string) =>
  execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })

const tsc = join(root, 'node_modules', '.bin', 'tsc')

describe('npm pack', () => {
  let dir = ''
  let files: string[] = []

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'floodgate-pack-'))
    const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', dir], root)) as Array<{
      filename: string
      files: Array<{ path: string }>
    }>
    files = packed[0]!.files.map((file) => file.path)
    const consumer = join(dir, 'consumer')
    mkdirSync(consumer)
    writeFileSync(
      join(consumer, 'package.json'),
      JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
    )
    run(
      'npm',
      [
        'install',
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        join(dir, packed[0]!.filename),
        'hono@4',
        '@types/node@20',
      ],
      consumer,
    )
  }, 120_000)

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('ships the built entry and types of every subpath, and no sources or tests', () => {
    for (const subpath of subpaths) {
      const target = pkg.exports[subpath] as { types: string; default: string }
      expect(files, subpath).toContain(target.types.slice(2))
      expect(files, subpath).toContain(target.default.slice(2))
    }
    expect(files).toContain(Object.values(pkg.bin)[0]!.slice(2))
    expect(files.filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))).toEqual([])
    expect(files.filter((file) => file.startsWith('test/') || file.includes('.test.'))).toEqual([])
  })

  it.each(['NodeNext', 'bundler'])(
    'type-checks an import of every subpath under %s resolution',
    (resolution) => {
      const consumer = join(dir, 'consumer')
      // Edge subpaths type-check without Node's types (an edge project has none); Node ones with them.
      for (const [name, group, types] of [
        ['web', subpaths.filter((s) => !nodeOnly.has(s)), []],
        ['node', subpaths.filter((s) => nodeOnly.has(s)), ['node']],
      ] as const) {
        const source = group.map((subpath, i) => `import * as m${i} from '${specifier(subpath)}'`).join('\n')
        const uses = group.map((_, i) => `m${i}`).join(', ')
        writeFileSync(join(consumer, `${name}.ts`), `${source}\nexport const modules: object[] = [${uses}]\n`)
        writeFileSync(
          join(consumer, `tsconfig.${name}.json`),
          JSON.stringify({
            compilerOptions: {
              target: 'ES2022',
              module: resolution === 'bundler' ? 'ESNext' : 'NodeNext',
              moduleResolution: resolution,
              lib: ['ES2023', 'DOM'],
              types,
              strict: true,
              noEmit: true,
              skipLibCheck: false,
            },
            files: [`${name}.ts`],
          }),
        )
        const checked = spawnSync(tsc, ['-p', `tsconfig.${name}.json`], { cwd: consumer, encoding: 'utf8' })
        expect(checked.stdout + checked.stderr, name).toBe('')
        expect(checked.status, name).toBe(0)
      }
    },
  )

  it('imports every subpath Node can load, each exporting something', async () => {
    const consumer = join(dir, 'consumer')
    const script = `
      const names = {}
      for (const s of ${JSON.stringify(nodeLoadable.map(specifier))}) names[s] = Object.keys(await import(s)).length
      console.log(JSON.stringify(names))`
    const counts = JSON.parse(run('node', ['--input-type=module', '-e', script], consumer)) as Record<
      string,
      number
    >
    for (const subpath of nodeLoadable) expect(counts[specifier(subpath)], subpath).toBeGreaterThan(0)
  })

  it('installs the floodgate bin, which runs the bridge CLI', () => {
    const help = run(join(dir, 'consumer', 'node_modules', '.bin', 'floodgate'), ['bridge', '--help'], dir)
    expect(help).toMatch(/--listen/)
    expect(help).toMatch(/--upstream/)
  })
})
