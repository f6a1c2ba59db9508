/**
 * Builds the examples the way their platforms do: the Worker with `wrangler deploy --dry-run`
 * (the top-level wrangler.toml, wrangler's own esbuild and conditions), the Vercel Edge Function
 * with esbuild under Vercel's edge conditions, as a script for the `edge-runtime` VM.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { build } from 'esbuild'

export const root = resolve(import.meta.dirname, '../../..')

/** The compatibility date wrangler.toml deploys with. */
export const compatibilityDate = (): string =>
  /^compatibility_date\s*=\s*"([^"]+)"/m.exec(readFileSync(join(root, 'wrangler.toml'), 'utf8'))![1]!

/** Runs `wrangler deploy --dry-run --outdir` and returns the directory holding `index.js`. */
export const buildWorker = (minify = false): string => {
  const outdir = mkdtempSync(join(tmpdir(), 'floodgate-worker-'))
  execFileSync(
    join(root, 'node_modules', '.bin', 'wrangler'),
    ['deploy', '--dry-run', '--outdir', outdir, ...(minify ? ['--minify'] : [])],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: '1', NO_COLOR: '1' },
    },
  )
  return outdir
}

/**
 * The Vercel example bundled into one script for `new EdgeRuntime({ initialCode })`. Like Vercel,
 * it exposes the request's `waitUntil` on the `@vercel/request-context` global; the VM's
 * `handedToWaitUntil` counts the promises it received.
 */
export const buildVercelEdge = async (): Promise<string> => {
  const result = await build({
    stdin: {
      contents: `
        import handler from './examples/vercel-edge/api/index.ts'
        const context = Symbol.for('@vercel/request-context')
        globalThis.handedToWaitUntil = 0
        addEventListener('fetch', (event) => {
          const waitUntil = (promise) => {
            globalThis.handedToWaitUntil++
            event.waitUntil(promise)
          }
          globalThis[context] = { get: () => ({ waitUntil }) }
          event.respondWith(handler(event.request))
        })`,
      resolveDir: root,
      loader: 'ts',
    },
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'neutral',
    mainFields: ['module', 'main'],
    conditions: ['edge-light', 'worker', 'browser', 'module', 'import'],
    tsconfig: join(root, 'tsconfig.json'),
    logLevel: 'silent',
  })
  return result.outputFiles[0]!.text
}
