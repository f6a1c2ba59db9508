/**
 * The client suite inside Deno: runs `deno test` (from the npm `deno` package) on
 * `deno/client.test.ts` with network access to 127.0.0.1 only, and reports each case from its TAP
 * output as its own test.
 */
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'
import { clientSuite } from '../client/suite.ts'
import { useValkey } from '../support/use-valkey.ts'

const root = fileURLToPath(new URL('../..', import.meta.url))

const runDeno = (port: number): Promise<{ code: number | null; output: string }> =>
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
        '--allow-env=VALKEY_PORT',
        'test/runtimes/deno/client.test.ts',
      ],
      {
        cwd: root,
        env: { ...process.env, VALKEY_PORT: String(port), DENO_NO_PACKAGE_JSON: '1', NO_COLOR: '1' },
      },
    )
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString()
    })
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString()
    })
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000)
    child.once('error', reject)
    child.once('close', (code) => {
      clearTimeout(timer)
      resolve({ code, output })
    })
  })

describe('the client suite over TCP inside Deno', () => {
  const valkey = useValkey()
  let run: { code: number | null; output: string }
  const outcome = new Map<string, boolean>()

  beforeAll(async () => {
    run = await runDeno(valkey.server.port)
    for (const line of run.output.split('\n')) {
      const match = /^(not ok|ok) \d+ - (.*)$/.exec(line.trim())
      if (match) outcome.set(match[2]!, match[1] === 'ok')
    }
  }, 120_000)

  for (const testCase of clientSuite) {
    it(testCase.name, () => {
      expect(outcome.get(testCase.name), run.output.slice(-3000)).toBe(true)
    })
  }

  it('deno test exits 0', () => {
    expect(run.code, run.output.slice(-3000)).toBe(0)
  })
})
