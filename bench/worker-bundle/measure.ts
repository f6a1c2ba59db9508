/**
 * Builds a Worker with `wrangler deploy --dry-run --outdir --minify --metafile` (the top-level
 * wrangler.toml's settings and aliases, wrangler's own esbuild) and splits the minified bundle by
 * where each byte came from: floodgate's sources, hono, jose, everything else.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

const root = resolve(import.meta.dirname, '../..')

export interface Breakdown {
  /** Minified bytes of the whole bundle. */
  total: number
  floodgate: number
  /** floodgate's bytes per source file, e.g. `src/limit/script.ts` (files that left none are absent). */
  files: Record<string, number>
  hono: number
  jose: number
  /** Everything else: the app itself and other packages. */
  other: number
  /** Bytes per other package (`@upstash/ratelimit`, `iron-session`, ...). */
  packages: Record<string, number>
}

const packageOf = (input: string): string | undefined => {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input)
  return match?.[1]
}

/** Bundles `entry` (default: wrangler.toml's `main`) and measures it. */
export const measureWorker = (entry?: string): Breakdown => {
  const dir = mkdtempSync(join(tmpdir(), 'floodgate-bundle-'))
  try {
    const meta = join(dir, 'meta.json')
    execFileSync(
      join(root, 'node_modules', '.bin', 'wrangler'),
      [
        'deploy',
        ...(entry ? [entry] : []),
        '--dry-run',
        '--outdir',
        join(dir, 'out'),
        '--minify',
        '--metafile',
        meta,
      ],
      {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, WRANGLER_SEND_METRICS: 'false', NO_COLOR: '1' },
      },
    )
    const outputs = JSON.parse(readFileSync(meta, 'utf8')).outputs as Record<
      string,
      { bytes: number; inputs: Record<string, { bytesInOutput: number }> }
    >
    const [, output] = Object.entries(outputs).find(([name]) => name.endsWith('.js'))!
    const result: Breakdown = {
      total: output.bytes,
      floodgate: 0,
      files: {},
      hono: 0,
      jose: 0,
      other: 0,
      packages: {},
    }
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const pkg = packageOf(input)
      if (pkg === 'hono') result.hono += bytesInOutput
      else if (pkg === 'jose') result.jose += bytesInOutput
      else if (!pkg && /^(src|adapters)\//.test(input)) {
        result.floodgate += bytesInOutput
        if (bytesInOutput > 0) result.files[input] = bytesInOutput
      } else {
        result.other += bytesInOutput
        if (pkg) result.packages[pkg] = (result.packages[pkg] ?? 0) + bytesInOutput
      }
    }
    return result
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
