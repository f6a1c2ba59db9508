/**
 * The environment table (env.cases.ts) against every client factory that runs under Node:
 * `clientFromEnv` of floodgate/node, floodgate/deno (with a `Deno.env` stand-in) and
 * floodgate/vercel (`process.env`). The same table runs inside workerd against floodgate/cloudflare
 * (test/runtimes/env.workerd.test.ts). Each client sends one PING to a recording HTTP server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { clientFromEnv as denoClientFromEnv } from '../../adapters/deno/client.ts'
import { clientFromEnv as nodeClientFromEnv } from '../../adapters/node/client.ts'
import { clientFromEnv as vercelClientFromEnv } from '../../adapters/vercel/client.ts'
import { ENV_NAMES, resolveEnv } from '../../src/client/env.ts'
import { ConfigError } from '../../src/errors.ts'
import { ENV_CASES, type EnvFactory, runEnvCases } from './env.cases.ts'
import { type EnvServer, startEnvServer } from './env-server.ts'

let server: EnvServer

beforeAll(async () => {
  server = await startEnvServer()
})
afterAll(() => server.close())

const withProcessEnv = <T>(env: Readonly<Record<string, string>>, run: () => T): T => {
  const saved = Object.fromEntries(ENV_NAMES.map((name) => [name, process.env[name]]))
  for (const name of ENV_NAMES) {
    if (env[name] === undefined) delete process.env[name]
    else process.env[name] = env[name]
  }
  try {
    return run()
  } finally {
    for (const name of ENV_NAMES) {
      if (saved[name] === undefined) delete process.env[name]
      else process.env[name] = saved[name]
    }
  }
}

const withDeno = <T>(env: Readonly<Record<string, string>>, run: () => T): T => {
  const global = globalThis as { Deno?: unknown }
  global.Deno = { env: { get: (name: string) => env[name] } }
  try {
    return run()
  } finally {
    delete global.Deno
  }
}

const tokenOption = (token: string | undefined) => (token === undefined ? {} : { token })

const factories: [string, EnvFactory, 'memory' | 'refuse'][] = [
  ['floodgate/node', (env, token) => nodeClientFromEnv(env, tokenOption(token)), 'memory'],
  ['floodgate/deno', (env, token) => withDeno(env, () => denoClientFromEnv(tokenOption(token))), 'memory'],
  [
    'floodgate/vercel',
    (env, token) => withProcessEnv(env, () => vercelClientFromEnv(tokenOption(token))),
    'refuse',
  ],
]

describe.each(factories)('%s clientFromEnv', (_name, factory, noUrl) => {
  it('follows the one precedence rule of env.ts for every row of the table', async () => {
    const results = await runEnvCases(factory, server.url, server.seen, noUrl)
    expect(results.filter((result) => !result.ok)).toEqual([])
    expect(results).toHaveLength(ENV_CASES.length)
  })
})

describe('resolveEnv', () => {
  it('gives the URL and token of each row', () => {
    for (const c of ENV_CASES) {
      const resolve = () => resolveEnv((name) => c.env[name], tokenOption(c.token))
      if ('error' in c.expect) {
        expect(resolve, c.name).toThrow(new ConfigError(c.expect.error))
        continue
      }
      const url = { floodgate: 'F', upstash: 'U', none: undefined }[c.expect.url]
      expect(resolve(), c.name).toEqual({
        ...(url === undefined ? {} : { url }),
        ...(c.expect.token === undefined ? {} : { token: c.expect.token }),
      })
    }
  })
})
