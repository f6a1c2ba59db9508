/**
 * One table of environments and what every client factory must make of them: which URL it
 * connects to (`floodgate` = the value of FLOODGATE_URL, `upstash` = UPSTASH_REDIS_REST_URL,
 * `none` = no URL, where Node and Deno fall back to memory and Workers and Vercel refuse) and
 * which bearer token it sends. Runtime-neutral (no vitest, no Node APIs): it also runs inside
 * workerd (test/runtimes/workerd/env-worker.ts).
 */

export interface EnvCase {
  readonly name: string
  /** `F` and `U` stand for the two URLs the runner serves: /floodgate and /upstash. */
  readonly env: Readonly<Record<string, string>>
  /** An explicit `token` option. */
  readonly token?: string
  readonly expect:
    | { readonly url: 'floodgate' | 'upstash' | 'none'; readonly token?: string }
    | { readonly error: string }
}

export const ENV_CASES: readonly EnvCase[] = [
  {
    name: 'FLOODGATE_URL with FLOODGATE_TOKEN',
    env: { FLOODGATE_URL: 'F', FLOODGATE_TOKEN: 'ft' },
    expect: { url: 'floodgate', token: 'ft' },
  },
  {
    name: 'the FLOODGATE pair wins over the Upstash pair',
    env: {
      FLOODGATE_URL: 'F',
      FLOODGATE_TOKEN: 'ft',
      UPSTASH_REDIS_REST_URL: 'U',
      UPSTASH_REDIS_REST_TOKEN: 'ut',
    },
    expect: { url: 'floodgate', token: 'ft' },
  },
  {
    name: 'the Upstash pair',
    env: { UPSTASH_REDIS_REST_URL: 'U', UPSTASH_REDIS_REST_TOKEN: 'ut' },
    expect: { url: 'upstash', token: 'ut' },
  },
  {
    name: 'UPSTASH_REDIS_REST_URL with FLOODGATE_TOKEN',
    env: { UPSTASH_REDIS_REST_URL: 'U', FLOODGATE_TOKEN: 'ft' },
    expect: { url: 'upstash', token: 'ft' },
  },
  {
    name: 'the Upstash token goes with the Upstash URL when both tokens are set',
    env: { UPSTASH_REDIS_REST_URL: 'U', UPSTASH_REDIS_REST_TOKEN: 'ut', FLOODGATE_TOKEN: 'ft' },
    expect: { url: 'upstash', token: 'ut' },
  },
  {
    name: 'the Upstash token never travels to FLOODGATE_URL',
    env: { FLOODGATE_URL: 'F', UPSTASH_REDIS_REST_TOKEN: 'ut' },
    expect: { url: 'floodgate' },
  },
  {
    name: 'a blank FLOODGATE_URL counts as unset',
    env: { FLOODGATE_URL: '  ', UPSTASH_REDIS_REST_URL: 'U', UPSTASH_REDIS_REST_TOKEN: 'ut' },
    expect: { url: 'upstash', token: 'ut' },
  },
  {
    name: 'an explicit token wins over FLOODGATE_TOKEN',
    env: { FLOODGATE_URL: 'F', FLOODGATE_TOKEN: 'ft' },
    token: 'xt',
    expect: { url: 'floodgate', token: 'xt' },
  },
  {
    name: 'an explicit token is looked at before a missing Upstash token throws',
    env: { UPSTASH_REDIS_REST_URL: 'U' },
    token: 'xt',
    expect: { url: 'upstash', token: 'xt' },
  },
  {
    name: 'UPSTASH_REDIS_REST_URL without any token is refused',
    env: { UPSTASH_REDIS_REST_URL: 'U' },
    expect: { error: 'UPSTASH_REDIS_REST_URL is set but UPSTASH_REDIS_REST_TOKEN is not: set both' },
  },
  { name: 'nothing set', env: {}, expect: { url: 'none' } },
]

/** A factory under test: builds a client from `env` (and an explicit token) and runs one command. */
export type EnvFactory = (
  env: Readonly<Record<string, string>>,
  token: string | undefined,
) => {
  kind: string
  send(command: string[]): Promise<unknown>
  close(): Promise<void>
}

/** What the runner's HTTP server saw: the path prefix and the Authorization header, per request. */
export interface Seen {
  path: string
  authorization: string | undefined
}

/**
 * Runs every case through `factory`, with F and U replaced by `base + '/floodgate'` and
 * `base + '/upstash'`. `noUrl` is what the runtime does with no URL: 'memory' or 'refuse'.
 * `seen()` returns the requests the server has received since the last call.
 */
export const runEnvCases = async (
  factory: EnvFactory,
  base: string,
  seen: () => Promise<Seen[]>,
  noUrl: 'memory' | 'refuse',
): Promise<{ name: string; ok: boolean; detail: string }[]> => {
  const results: { name: string; ok: boolean; detail: string }[] = []
  for (const c of ENV_CASES) {
    const env = Object.fromEntries(
      Object.entries(c.env).map(([name, value]) => [
        name,
        value === 'F' ? `${base}/floodgate` : value === 'U' ? `${base}/upstash` : value,
      ]),
    )
    let detail: string
    try {
      const client = factory(env, c.token)
      try {
        if ('error' in c.expect) {
          detail = `expected ConfigError '${c.expect.error}', got a ${client.kind} client`
        } else if (c.expect.url === 'none') {
          detail =
            noUrl === 'memory' && client.kind === 'memory' ? '' : `got a ${client.kind} client with no URL`
        } else {
          await seen()
          await client.send(['PING'])
          const [request] = await seen()
          const wanted = {
            path: `/${c.expect.url}`,
            authorization: c.expect.token && `Bearer ${c.expect.token}`,
          }
          const got = {
            path: request?.path.split('/').slice(0, 2).join('/'),
            authorization: request?.authorization,
          }
          detail =
            JSON.stringify(got) === JSON.stringify(wanted)
              ? ''
              : `wanted ${JSON.stringify(wanted)}, got ${JSON.stringify(got)}`
        }
      } finally {
        await client.close()
      }
    } catch (error) {
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
      if ('error' in c.expect) {
        detail =
          message === `ConfigError: ${c.expect.error}`
            ? ''
            : `wanted ConfigError '${c.expect.error}', got ${message}`
      } else if (c.expect.url === 'none' && noUrl === 'refuse') {
        detail = /^ConfigError: FLOODGATE_URL is not set/.test(message)
          ? ''
          : `wanted a ConfigError for no URL, got ${message}`
      } else {
        detail = `threw ${message}`
      }
    }
    results.push({ name: c.name, ok: detail === '', detail })
  }
  return results
}
