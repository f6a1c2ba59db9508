import { describe, expect, it } from 'vitest'
import { connect } from '../../src/bridge/node/socket.ts'
import { clientFromEnv, createClient } from '../../src/client/create-client.ts'
import { ConfigError } from '../../src/errors.ts'
import { useValkey } from '../support/use-valkey.ts'

const valkey = useValkey()

const configError = (fn: () => unknown): ConfigError => {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError)
    return error as ConfigError
  }
  throw new Error('expected a ConfigError')
}

describe('createClient', () => {
  it('gives the memory backend without a URL, or for memory:', async () => {
    for (const url of [undefined, '', 'memory:', 'MEMORY://local']) {
      const client = createClient(url)
      expect(client.kind).toBe('memory')
      expect(await client.send(['PING'])).toBe('PONG')
    }
  })

  it('passes memory options through', async () => {
    const client = createClient('memory:', { memory: { now: () => 5_000 } })
    expect(await client.send(['TIME'])).toEqual(['5', '0'])
  })

  it('gives the HTTP transport for http(s) URLs', () => {
    expect(createClient('https://bridge.example', { token: 't0ken' }).kind).toBe('http')
    expect(createClient('http://127.0.0.1:8079').kind).toBe('http')
  })

  it('asks for an adapter connect for TCP URLs, without echoing the password', () => {
    for (const url of [
      'redis://user:s3cret@cache:6379',
      'rediss://:s3cret@cache',
      'valkey://cache',
      'valkeys://cache',
    ]) {
      const error = configError(() => createClient(url))
      expect(error.message).toMatch(/floodgate\/node.*floodgate\/cloudflare.*floodgate\/deno/)
      expect(error.message).not.toContain('s3cret')
    }
  })

  it('gives the TCP transport for redis:// and valkey:// URLs with a connect', async () => {
    for (const url of [valkey.url, valkey.url.replace('redis:', 'valkey:')]) {
      const client = createClient(url, { connect, tcp: { commandTimeout: 5000 } })
      expect(client.kind).toBe('tcp')
      expect(await client.send(['ECHO', 'over tcp'])).toBe('over tcp')
      await client.close()
    }
    const fromEnv = clientFromEnv({ FLOODGATE_URL: valkey.url }, { connect })
    expect(fromEnv.kind).toBe('tcp')
    expect(await fromEnv.send(['PING'])).toBe('PONG')
    await fromEnv.close()
  })

  it('refuses an unknown scheme or a URL without one, without echoing it', () => {
    expect(configError(() => createClient('ftp://u:s3cret@host')).message).toMatch(
      /unsupported client URL scheme 'ftp:'/,
    )
    const bare = configError(() => createClient('s3cret@host:6379'))
    expect(bare.message).toMatch(/no scheme/)
    expect(bare.message).not.toContain('s3cret')
  })

  it('refuses a URL that is not a string with a TypeError', () => {
    expect(() => createClient(6379 as never)).toThrow(TypeError)
  })
})

describe('clientFromEnv', () => {
  it('gives the memory backend when nothing is set', () => {
    expect(clientFromEnv({}).kind).toBe('memory')
    expect(clientFromEnv({ FLOODGATE_URL: '' }).kind).toBe('memory')
  })

  it('reads FLOODGATE_URL first, then the Upstash variables', () => {
    expect(
      clientFromEnv({ FLOODGATE_URL: 'memory:', UPSTASH_REDIS_REST_URL: 'https://x.upstash.io' }).kind,
    ).toBe('memory')
    expect(
      clientFromEnv({ UPSTASH_REDIS_REST_URL: 'https://x.upstash.io', UPSTASH_REDIS_REST_TOKEN: 'tok' }).kind,
    ).toBe('http')
    expect(clientFromEnv({ FLOODGATE_URL: 'https://bridge', FLOODGATE_TOKEN: 'tok' }).kind).toBe('http')
  })

  it('needs the Upstash token with the Upstash URL, and never prints it', () => {
    const error = configError(() => clientFromEnv({ UPSTASH_REDIS_REST_URL: 'https://x.upstash.io' }))
    expect(error.message).toBe('UPSTASH_REDIS_REST_URL is set but UPSTASH_REDIS_REST_TOKEN is not: set both')
  })

  it('reads an env with get(), as Deno.env has', () => {
    const env = new Map([['FLOODGATE_URL', 'https://bridge']])
    expect(clientFromEnv({ get: (name: string) => env.get(name) }).kind).toBe('http')
  })

  it('reads only the four named variables', () => {
    const read = new Set<string>()
    const env = new Proxy({} as Record<string, string | undefined>, {
      get: (_target, name) => {
        read.add(String(name))
        return undefined
      },
    })
    clientFromEnv(env)
    expect([...read].filter((name) => name !== 'get').sort()).toEqual([
      'FLOODGATE_TOKEN',
      'FLOODGATE_URL',
      'UPSTASH_REDIS_REST_TOKEN',
      'UPSTASH_REDIS_REST_URL',
    ])
  })
})
