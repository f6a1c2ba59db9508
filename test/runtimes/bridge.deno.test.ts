/**
 * The bridge's web handler inside Deno: runs `deno test` on `deno/bridge.test.ts` with network
 * access to 127.0.0.1 only, and reports each case from its TAP output.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { useValkey } from '../support/use-valkey.ts'
import { runDenoTest } from './support/runners.ts'

const CASES = [
  'runs a command and a pipeline',
  'runs a transaction',
  'refuses a bad token and a dangerous command',
  'streams a subscription',
]

describe('the bridge handler inside Deno', () => {
  const valkey = useValkey()
  let run: Awaited<ReturnType<typeof runDenoTest>> = { code: null, output: '', results: [] }
  beforeAll(async () => {
    run = await runDenoTest('test/runtimes/deno/bridge.test.ts', { VALKEY_PORT: String(valkey.server.port) })
  }, 120_000)
  for (const name of CASES) {
    it(name, () => {
      expect(
        run.results.find((r) => r.name === name),
        run.output.slice(-3000),
      ).toEqual({ name, ok: true })
    })
  }
  it('deno test exits 0', () => {
    expect(run.code, run.output.slice(-3000)).toBe(0)
  })
})
