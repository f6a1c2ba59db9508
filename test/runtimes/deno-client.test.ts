/**
 * The client suite over TCP inside Deno: runs `deno test` on `deno/client.test.ts` with network
 * access to 127.0.0.1 only, and reports each case from its TAP output as its own test.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { useValkey } from '../support/use-valkey.ts'
import { reportCases, runDenoTest } from './support.ts'

describe('the client suite over TCP inside Deno', () => {
  const valkey = useValkey()
  let run: Awaited<ReturnType<typeof runDenoTest>> = { code: null, output: '', results: [] }
  beforeAll(async () => {
    run = await runDenoTest('test/runtimes/deno/client.test.ts', { VALKEY_PORT: String(valkey.server.port) })
  }, 120_000)
  reportCases(
    'Deno',
    () => run.results,
    () => run.output,
  )
  it('deno test exits 0', () => {
    expect(run.code, run.output.slice(-3000)).toBe(0)
  })
})
