/**
 * The Express and Fastify integrations stay out of every edge bundle: each edge entry (the root,
 * floodgate/hono, the Workers, Vercel and Deno adapters) bundled by esbuild for a worker pulls in
 * nothing of express, express-session, fastify or floodgate's own src/express and src/fastify.
 */
import { resolve } from 'node:path'
import { build } from 'esbuild'
import { describe, expect, it } from 'vitest'

const root = resolve(import.meta.dirname, '../..')
const ENTRIES = [
  'src/index.ts',
  'src/hono/index.ts',
  'adapters/cloudflare/index.ts',
  'adapters/vercel/index.ts',
  'adapters/deno/index.ts',
]
const NODE_ONLY =
  /node_modules\/(express|express-session|express-rate-limit|fastify|fastify-plugin|@fastify\/[^/]+)\/|^src\/(express|fastify)\//

describe('the edge bundles', () => {
  it.each(ENTRIES)('%s holds nothing of Express or Fastify', async (entry) => {
    const result = await build({
      absWorkingDir: root,
      entryPoints: [entry],
      bundle: true,
      write: false,
      metafile: true,
      format: 'esm',
      platform: 'neutral',
      conditions: ['workerd', 'worker', 'browser'],
      mainFields: ['module', 'main'],
      external: ['cloudflare:sockets', 'node:*'],
      logLevel: 'silent',
    })
    const inputs = Object.keys(result.metafile.inputs)
    expect(inputs.some((input) => input.startsWith('src/'))).toBe(true)
    expect(inputs.filter((input) => NODE_ONLY.test(input))).toEqual([])
  })

  it('would notice: floodgate/express itself does pull in its own sources', async () => {
    const result = await build({
      absWorkingDir: root,
      entryPoints: ['src/express/index.ts'],
      bundle: true,
      write: false,
      metafile: true,
      format: 'esm',
      platform: 'node',
      packages: 'external',
      logLevel: 'silent',
    })
    expect(
      Object.keys(result.metafile.inputs).filter((input) => NODE_ONLY.test(input)).length,
    ).toBeGreaterThan(0)
  })
})
