/**
 * What the runtime runners share: bundling a test entry with esbuild, running a `deno test` file
 * with narrow permissions and reading its TAP lines, and reporting each suite case as its own test.
 */
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { Miniflare } from 'miniflare'
import { beforeAll, expect, it } from 'vitest'
import { clientSuite } from '../../client/client.suite.ts'
import type { CaseResult } from '../../client/run-suite.ts'

const root = fileURLToPath(new URL('../../..', import.meta.url))
/** Entries are named relative to test/runtimes/. */
const runtimes = new URL('../', import.meta.url)

/** Bundles `entry` (relative to test/runtimes/) into one script; `cloudflare:*` stays external. */
export const bundle = async (entry: string, format: 'esm' | 'iife'): Promise<string> => {
  const built = await build({
    entryPoints: [fileURLToPath(new URL(entry, runtimes))],
    bundle: true,
    format,
    platform: 'neutral',
    target: 'es2022',
    external: ['cloudflare:*'],
    write: false,
  })
  return built.outputFiles[0]!.text
}

/**
 * Bundles `entry` (relative to test/runtimes/), runs it inside workerd (Miniflare) with `bindings`,
 * fetches `url` once, disposes of the runtime and returns the JSON the Worker answered.
 */
export const runInWorkerd = async <T>(
  entry: string,
  { bindings = {}, url = 'http://localhost/' }: { bindings?: Record<string, string>; url?: string } = {},
): Promise<T> => {
  const mf = new Miniflare({
    modules: true,
    script: await bundle(entry, 'esm'),
    compatibilityDate: '2025-01-01',
    bindings,
  })
  try {
    return (await (await mf.dispatchFetch(url)).json()) as T
  } finally {
    await mf.dispose()
  }
}

/**
 * Runs `deno test` (the npm `deno` package) on `file` (relative to the repository root) with network
 * access to 127.0.0.1 only and read access to exactly the variables in `env`.
 */
export const runDenoTest = (
  file: string,
  env: Record<string, string>,
): Promise<{ code: number | null; output: string; results: CaseResult[] }> =>
  new Promise((resolve, reject) => {
    const child = spawn(
      'npx',
      [
        'deno',
        'test',
        '--no-check',
        '--no-prompt',
        '--reporter=tap',
        '--allow-net=127.0.0.1',
        `--allow-env=${Object.keys(env).join(',')}`,
        file,
      ],
      { cwd: root, env: { ...process.env, ...env, DENO_NO_PACKAGE_JSON: '1', NO_COLOR: '1' } },
    )
    let output = ''
    const collect = (chunk: Buffer) => {
      output += chunk.toString()
    }
    child.stdout.on('data', collect)
    child.stderr.on('data', collect)
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000)
    child.once('error', reject)
    child.once('close', (code) => {
      clearTimeout(timer)
      const results: CaseResult[] = []
      for (const line of output.split('\n')) {
        const match = /^(not ok|ok) \d+ - (.*)$/.exec(line.trim())
        if (match && match[2] !== 'close') results.push({ name: match[2]!, ok: match[1] === 'ok' })
      }
      resolve({ code, output, results })
    })
  })

/** One test per suite case, passing when the runtime reported it ok, and one that every case ran. */
export const reportCases = (
  runtime: string,
  results: () => CaseResult[],
  output: () => string = () => '',
): void => {
  for (const testCase of clientSuite) {
    it(testCase.name, () => {
      expect(
        results().find((r) => r.name === testCase.name),
        output().slice(-3000),
      ).toEqual({ name: testCase.name, ok: true })
    })
  }
  it(`ran every case inside ${runtime}`, () => {
    expect(results().map((r) => r.name)).toEqual(clientSuite.map((c) => c.name))
  })
}

/**
 * Inside a `describe`: runs `file` under `deno test` before the tests (with the variables `env()`
 * returns, read once the servers are up) and reports each case, plus deno's exit status.
 */
export const useDenoSuite = (file: string, env: () => Record<string, string>): void => {
  let run: Awaited<ReturnType<typeof runDenoTest>> = { code: null, output: '', results: [] }
  beforeAll(async () => {
    run = await runDenoTest(file, env())
  }, 120_000)
  reportCases(
    'Deno',
    () => run.results,
    () => run.output,
  )
  it('deno test exits 0', () => {
    expect(run.code, run.output.slice(-3000)).toBe(0)
  })
}
