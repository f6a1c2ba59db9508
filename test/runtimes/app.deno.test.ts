/**
 * The Deno runner: `deno test` (the npm `deno` package) runs test/runtimes/deno/app.test.ts,
 * where examples/deno serves the shared cases inside Deno, against Valkey over `Deno.connect` and
 * through the bridge over fetch. Permissions are scoped as a user would scope them.
 */
import { execFile } from 'node:child_process'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { cases } from './cases.ts'
import { useStack } from './support/stack.ts'

const root = resolve(import.meta.dirname, '../..')
const stack = useStack()
const ENV_NAMES =
  'FLOODGATE_URL,FLOODGATE_TOKEN,UPSTASH_REDIS_REST_URL,UPSTASH_REDIS_REST_TOKEN,TRUST_PROXY,VALKEY_URL'

const denoTest = (env: Record<string, string>, file = 'test/runtimes/deno/app.test.ts', allowEnv = true) =>
  new Promise<{ code: number; output: string }>((done) => {
    const child = execFile(
      join(root, 'node_modules', '.bin', 'deno'),
      [
        'test',
        '--no-check',
        '--allow-net=127.0.0.1',
        ...(allowEnv ? [`--allow-env=${ENV_NAMES}`] : []),
        '--allow-read=.',
        '--config',
        'examples/deno/deno.json',
        file,
      ],
      {
        cwd: root,
        env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', ...env },
        timeout: 60_000,
      },
      (error, stdout, stderr) => done({ code: error ? Number(error.code ?? 1) : 0, output: stdout + stderr }),
    )
    child.stdin?.end()
  })

const expected = cases.filter((c) => !c.needsIp).length

describe('examples/deno inside Deno', () => {
  it.each([
    ['Valkey over Deno.connect', () => ({ FLOODGATE_URL: stack.redisUrl })],
    ['the bridge over fetch', () => ({ FLOODGATE_URL: stack.bridgeUrl, FLOODGATE_TOKEN: stack.token })],
  ])(
    'passes the shared cases on %s',
    async (_name, env) => {
      const { code, output } = await denoTest({ ...env(), VALKEY_URL: stack.redisUrl })
      expect(output, output).toMatch(new RegExp(`ok \\| 1 passed \\(${expected} steps\\)`))
      expect(code, output).toBe(0)
    },
    90_000,
  )

  it('reports a missing --allow-env as such', async () => {
    const { code, output } = await denoTest(
      { FLOODGATE_URL: stack.redisUrl },
      'test/runtimes/deno/env.test.ts',
      false,
    )
    expect(output, output).toMatch(/ok \| 1 passed/)
    expect(code, output).toBe(0)
  }, 90_000)
})
