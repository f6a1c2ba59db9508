/**
 * The environment table (test/client/env.cases.ts) inside workerd against floodgate/cloudflare's
 * `clientFromEnv`: the same rows, the same expectations as floodgate/node, /deno and /vercel.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ENV_CASES } from '../client/env.cases.ts'
import { type EnvServer, startEnvServer } from '../client/env-server.ts'
import { runInWorkerd } from './support/runners.ts'

describe('floodgate/cloudflare clientFromEnv inside workerd', () => {
  let server: EnvServer
  beforeAll(async () => {
    server = await startEnvServer()
  })
  afterAll(() => server.close())

  it('follows the one precedence rule of env.ts for every row of the table', async () => {
    const results = await runInWorkerd<{ name: string; ok: boolean; detail: string }[]>(
      './workerd/env-worker.ts',
      { url: `http://localhost/?base=${encodeURIComponent(server.url)}` },
    )
    expect(results.filter((result) => !result.ok)).toEqual([])
    expect(results.map((result) => result.name)).toEqual(ENV_CASES.map((c) => c.name))
  }, 60_000)
})
