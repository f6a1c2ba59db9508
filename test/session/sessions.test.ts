import { describe, expect, it } from 'vitest'
import { ConfigError } from '../../src/errors.ts'
import { createMemoryClient, createSessions } from '../../src/index.ts'
import { SECRET_A } from './helpers.ts'

const client = createMemoryClient()

describe('createSessions options', () => {
  it.each([
    [{ idleTimeout: 0 }, /idleTimeout must be a positive whole number of seconds, received 0/],
    [{ idleTimeout: 1.5 }, /idleTimeout must be a positive whole number/],
    [{ absoluteTimeout: -1 }, /absoluteTimeout must be a positive whole number/],
    [
      { idleTimeout: 100, absoluteTimeout: 50 },
      /idleTimeout \(100 s\) must not exceed absoluteTimeout \(50 s\)/,
    ],
    [{ idleTimeout: 401 * 86400, absoluteTimeout: 500 * 86400 }, /at most 400 days/],
  ])('refuses %j with a TypeError', (options, message) => {
    expect(() => createSessions({ client, ...options })).toThrow(TypeError)
    expect(() => createSessions({ client, ...options })).toThrow(message)
  })

  it('needs a client in stateful mode and secrets in stateless mode', () => {
    expect(() => createSessions({} as never)).toThrow(/stateful sessions need a `client`/)
    expect(() => createSessions({ mode: 'stateless' } as never)).toThrow(ConfigError)
    expect(() => createSessions({ mode: 'cookie', client } as never)).toThrow(
      /mode must be 'stateful' or 'stateless'/,
    )
  })

  it('reports its mode', () => {
    expect(createSessions({ client }).mode).toBe('stateful')
    expect(createSessions({ mode: 'stateless', secrets: SECRET_A }).mode).toBe('stateless')
  })

  it('a cookie option error surfaces at startup as a ConfigError', () => {
    expect(() =>
      createSessions({ client, cookie: { sameSite: 'none', secure: false, name: 'sid' } }),
    ).toThrow(ConfigError)
  })

  it('destroyAll refuses an empty user id', async () => {
    expect(() => createSessions({ client, userKey: 'userId' }).destroyAll('')).toThrow(TypeError)
  })
})
