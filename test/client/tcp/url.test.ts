import { describe, expect, it } from 'vitest'
import { connect } from '../../../src/bridge/node/socket.ts'
import { createTcpClient } from '../../../src/client/tcp/client.ts'
import { handshakeCommands, parseTcpUrl } from '../../../src/client/tcp/url.ts'
import { ConfigError } from '../../../src/errors.ts'

describe('parseTcpUrl', () => {
  it('reads host, port, user, password and db', () => {
    expect(parseTcpUrl('redis://app:pw@cache.internal:6380/2')).toEqual({
      host: 'cache.internal',
      port: 6380,
      tls: false,
      username: 'app',
      password: 'pw',
      db: 2,
    })
  })

  it('defaults the port to 6379 and leaves user, password and db out', () => {
    expect(parseTcpUrl('redis://localhost')).toEqual({ host: 'localhost', port: 6379, tls: false })
  })

  it('takes a password without a user', () => {
    expect(parseTcpUrl('redis://:secret@h:1/')).toEqual({
      host: 'h',
      port: 1,
      tls: false,
      password: 'secret',
    })
  })

  it('turns on TLS for rediss:// and valkeys://, and accepts valkey://', () => {
    expect(parseTcpUrl('rediss://h').tls).toBe(true)
    expect(parseTcpUrl('valkeys://h').tls).toBe(true)
    expect(parseTcpUrl('valkey://h:7000')).toEqual({ host: 'h', port: 7000, tls: false })
  })

  it('decodes percent-escapes in the user name and password', () => {
    const endpoint = parseTcpUrl('redis://us%40er:p%3Aa%2Fs%20s%40@h')
    expect(endpoint.username).toBe('us@er')
    expect(endpoint.password).toBe('p:a/s s@')
  })

  it('strips the brackets of an IPv6 host', () => {
    expect(parseTcpUrl('redis://[::1]:6379').host).toBe('::1')
  })

  const refuses = (url: string, message: RegExp) => {
    let error: unknown
    try {
      parseTcpUrl(url)
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(ConfigError)
    expect((error as Error).message).toMatch(message)
    return error as Error
  }

  it('refuses other schemes', () => {
    refuses('http://h:6379', /unsupported scheme 'http:'/)
  })

  it('refuses a path that is not a database number', () => {
    refuses('redis://h/cache', /database number/)
  })

  it('refuses a query string', () => {
    refuses('redis://h?db=1', /no query/)
  })

  it('never echoes the password of a URL it cannot parse', () => {
    const error = refuses('redis://user:hunter2@bad host:6379', /invalid Valkey URL/)
    expect(error.message).not.toContain('hunter2')
  })

  it('never echoes the password when a percent-escape is malformed', () => {
    const error = refuses('redis://user:hunter2%zz@h', /malformed percent-escape/)
    expect(error.message).not.toContain('hunter2')
  })

  it('refuses a port out of range', () => {
    refuses('redis://h:70000', /invalid Valkey URL/)
  })
})

describe('createTcpClient options', () => {
  it('needs a connect function', () => {
    expect(() => createTcpClient({ url: 'redis://h' } as never)).toThrow(/needs a connect function/)
  })

  it('refuses a negative timeout', () => {
    expect(() => createTcpClient({ connect, commandTimeout: -1 })).toThrow(
      /commandTimeout must be a non-negative/,
    )
  })

  it('refuses a bad db', () => {
    expect(() => createTcpClient({ connect, db: 1.5 })).toThrow(/db must be a non-negative integer/)
  })

  it('refuses a username without a password', () => {
    expect(() => createTcpClient({ connect, username: 'app' })).toThrow(/needs a password/)
  })
})

describe('handshakeCommands', () => {
  it('sends AUTH (with the ACL user when there is one) and SELECT only for a database other than 0', () => {
    expect(handshakeCommands(parseTcpUrl('redis://127.0.0.1:6379'))).toEqual([])
    expect(handshakeCommands(parseTcpUrl('redis://:s3cret@127.0.0.1:6379/0'))).toEqual([['AUTH', 's3cret']])
    expect(handshakeCommands(parseTcpUrl('redis://app:s3cret@127.0.0.1:6379/2'))).toEqual([
      ['AUTH', 'app', 's3cret'],
      ['SELECT', '2'],
    ])
  })
})
