/**
 * The environment table (test/client/env.cases.ts) inside Deno against floodgate/deno's
 * `clientFromEnv` and the real `Deno.env`: one test per row, as Deno reported it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ENV_CASES } from '../client/env.cases.ts'
import { type EnvServer, startEnvServer } from '../client/env-server.ts'
import { runDenoTest } from './support/runners.ts'

describe('floodgate/deno clientFromEnv inside Deno', () => {
  let server: EnvServer
  beforeAll(async () => {
    server = await startEnvServer()
  })
  afterAll(() => server.close())

  it('follows the one precedence rule of env.ts for every row of the table', async () => {
    const run = await runDenoTest('test/runtimes/deno/env-table.test.ts', {
      ENV_BASE: server.url,
      FLOODGATE_URL: '',
      FLOODGATE_TOKEN: '',
      UPSTASH_REDIS_REST_URL: '',
      UPSTASH_REDIS_REST_TOKEN: '',
    })
    expect(run.results, run.output.slice(-3000)).toEqual(ENV_CASES.map((c) => ({ name: c.name, ok: true })))
    expect(run.code).toBe(0)
  }, 120_000)
})
