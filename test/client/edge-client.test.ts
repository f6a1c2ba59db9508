import { afterEach, describe, expect, it } from 'vitest'
import { clientFromEnv as nodeClientFromEnv } from '../../adapters/node/client.ts'
import { clientFromEnv as vercelClientFromEnv } from '../../adapters/vercel/client.ts'
import { connect } from '../../src/bridge/node/socket.ts'
import { createEdgeClient } from '../../src/client/edge-client.ts'
import { useValkey } from '../support/use-valkey.ts'

const valkey = useValkey()

describe('createEdgeClient', () => {
  it('speaks HTTP to an https:// URL and TCP to a redis:// one where there is a socket', async () => {
    expect(createEdgeClient('https://bridge.example', { token: 't' }, 'Here').kind).toBe('http')
    const tcp = createEdgeClient(valkey.url, {}, 'Here', connect)
    expect(tcp.kind).toBe('tcp')
    expect(await tcp.send(['PING'])).toBe('PONG')
    await tcp.close()
  })

  it('points a runtime without sockets at the bridge', () => {
    expect(() => createEdgeClient('redis://127.0.0.1:6379', {}, 'Vercel Edge')).toThrow(
      /^Vercel Edge has no TCP sockets, so FLOODGATE_URL cannot be a redis:\/\/ URL: run `floodgate bridge`/,
    )
  })

  it('sends a cluster through the bridge and refuses an in-isolate memory store', () => {
    expect(() => createEdgeClient('redis://a:1,b:2', {}, 'Cloudflare Workers', connect)).toThrow(
      /a Valkey Cluster .* is reached through the bridge/,
    )
    expect(() => createEdgeClient('memory:', {}, 'Cloudflare Workers', connect)).toThrow(
      /must be the bridge's https:\/\/ URL or a redis:\/\/ URL; the in-process memory backend would limit nothing/,
    )
  })
})

describe('floodgate/vercel clientFromEnv', () => {
  const saved = { ...process.env }
  afterEach(() => {
    for (const name of ['FLOODGATE_URL', 'FLOODGATE_TOKEN']) {
      if (saved[name] === undefined) delete process.env[name]
      else process.env[name] = saved[name]
    }
  })

  it('builds an HTTP client from process.env and never a TCP one', () => {
    process.env.FLOODGATE_URL = 'https://bridge.example'
    process.env.FLOODGATE_TOKEN = 'secret-token'
    expect(vercelClientFromEnv().kind).toBe('http')
    process.env.FLOODGATE_URL = 'rediss://cache.example:6380'
    expect(() => vercelClientFromEnv()).toThrow(/Vercel Edge has no TCP sockets/)
    delete process.env.FLOODGATE_URL
    expect(() => vercelClientFromEnv()).toThrow(/FLOODGATE_URL is not set/)
  })

  it('never puts the URL or token in its errors', () => {
    process.env.FLOODGATE_URL = 'rediss://user:hunter2-password@cache.example:6380'
    expect(() => vercelClientFromEnv()).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('hunter2') }),
    )
  })
})

describe('floodgate/node clientFromEnv', () => {
  it('uses memory without a URL and TCP for redis://', async () => {
    const memory = nodeClientFromEnv({})
    expect(memory.kind).toBe('memory')
    await memory.close()
    const tcp = nodeClientFromEnv({ FLOODGATE_URL: valkey.url })
    expect(tcp.kind).toBe('tcp')
    expect(await tcp.send(['PING'])).toBe('PONG')
    await tcp.close()
  })
})
