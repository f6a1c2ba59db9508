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
/**
 * Subpaths for Node itself: their types need @types/node, as any Node program has, and the
 * framework integrations' types need their framework's (installed below, as an app has them).
 */
const nodeOnly = new Set(['./node', './bridge/node', './express', './express/stores', './fastify'])
/** Subpaths whose modules Node can load: the Workers adapter imports `cloudflare:sockets`. */
const nodeLoadable = subpaths.filter((subpath) => subpath !== './cloudflare')

/**
 * Every external step gets its own budget and is killed when it runs past it, so a step that hangs
 * fails with its name instead of hanging the worker (a synchronous child blocks vitest's own timer).
 * The budgets are far above an idle run (npm pack ~10 s, install ~10 s, tsc ~3 s) so that a loaded
 * machine, where each step can take several times longer, still passes.
 */
const STEP_MS = { pack: 150_000, install: 150_000, tsc: 90_000, node: 60_000 }

const run = (command: string, args: string[], cwd: string, timeout: number) =>
  execFileSync(command, args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout,
    killSignal: 'SIGKILL',
  })

const tsc = join(root, 'node_modules', '.bin', 'tsc')

describe('npm pack', () => {
  let dir = ''
  let files: string[] = []

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'floodgate-pack-'))
    const packed = JSON.parse(
      run('npm', ['pack', '--json', '--pack-destination', dir], root, STEP_MS.pack),
    ) as Array<{
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
        '@types/express@5',
        'fastify@5',
      ],
      consumer,
      STEP_MS.install,
    )
  }, STEP_MS.pack + STEP_MS.install)

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

  // Edge subpaths type-check without Node's types (an edge project has none); Node ones with them.
  const groups = [
    ['web', subpaths.filter((s) => !nodeOnly.has(s)), []],
    ['node', subpaths.filter((s) => nodeOnly.has(s)), ['node']],
  ] as const
  const checks = (['NodeNext', 'bundler'] as const).flatMap((resolution) =>
    groups.map(([name, group, types]) => ({ resolution, name, group, types })),
  )

  it.each(checks)(
    'type-checks an import of every $name subpath under $resolution resolution',
    ({ resolution, name, group, types }) => {
      const consumer = join(dir, 'consumer')
      const file = `${name}-${resolution}`
      const source = group.map((subpath, i) => `import * as m${i} from '${specifier(subpath)}'`).join('\n')
      const uses = group.map((_, i) => `m${i}`).join(', ')
      writeFileSync(join(consumer, `${file}.ts`), `${source}\nexport const modules: object[] = [${uses}]\n`)
      writeFileSync(
        join(consumer, `tsconfig.${file}.json`),
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
          files: [`${file}.ts`],
        }),
      )
      const checked = spawnSync(tsc, ['-p', `tsconfig.${file}.json`], {
        cwd: consumer,
        encoding: 'utf8',
        timeout: STEP_MS.tsc,
        killSignal: 'SIGKILL',
      })
      expect(checked.error, `tsc ${file}`).toBeUndefined()
      expect(checked.stdout + checked.stderr, file).toBe('')
      expect(checked.status, file).toBe(0)
    },
    STEP_MS.tsc + 10_000,
  )

  it(
    'imports every subpath Node can load, each exporting something',
    async () => {
      const consumer = join(dir, 'consumer')
      const script = `
      const names = {}
      for (const s of ${JSON.stringify(nodeLoadable.map(specifier))}) names[s] = Object.keys(await import(s)).length
      console.log(JSON.stringify(names))`
      const counts = JSON.parse(
        run('node', ['--input-type=module', '-e', script], consumer, STEP_MS.node),
      ) as Record<string, number>
      for (const subpath of nodeLoadable) expect(counts[specifier(subpath)], subpath).toBeGreaterThan(0)
    },
    STEP_MS.node + 10_000,
  )

  it(
    'installs the floodgate bin, which runs the bridge CLI',
    () => {
      const bin = join(dir, 'consumer', 'node_modules', '.bin', 'floodgate')
      const help = run(bin, ['bridge', '--help'], dir, STEP_MS.node)
      expect(help).toMatch(/--listen/)
      expect(help).toMatch(/--upstream/)
    },
    STEP_MS.node + 10_000,
  )
})
