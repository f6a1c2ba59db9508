import { describe, expect, it } from 'vitest'
import { isSentinelUrl, parseSentinelUrl } from '../../../../src/client/tcp/sentinel/url.ts'
import { ConfigError } from '../../../../src/errors.ts'

describe('parseSentinelUrl', () => {
  it('reads Sentinels (default port 26379), the primary name, the db and the data nodes password', () => {
    expect(
      parseSentinelUrl('redis+sentinel://:s%40cret@10.0.0.1,10.0.0.2:26380,[::1]:5000/mymaster/2'),
    ).toEqual({
      sentinels: [
        { host: '10.0.0.1', port: 26379 },
        { host: '10.0.0.2', port: 26380 },
        { host: '::1', port: 5000 },
      ],
      name: 'mymaster',
      db: 2,
      password: 's@cret',
      tls: false,
      role: 'primary',
    })
  })

  it('takes an ACL user, TLS schemes, Sentinel credentials and the replica role from the query', () => {
    expect(
      parseSentinelUrl(
        'valkeys+sentinel://app:pw@h1:26379/cache?sentinelPassword=sp&sentinel_username=su&role=replica',
      ),
    ).toEqual({
      sentinels: [{ host: 'h1', port: 26379 }],
      name: 'cache',
      username: 'app',
      password: 'pw',
      tls: true,
      sentinelUsername: 'su',
      sentinelPassword: 'sp',
      role: 'replica',
    })
    expect(parseSentinelUrl('rediss+sentinel://h/m').tls).toBe(true)
    expect(parseSentinelUrl('redis+sentinel://bare-password@h/m').password).toBe('bare-password')
  })

  it('refuses a URL without a name, an unknown option or a bad db, without echoing the password', () => {
    expect(() => parseSentinelUrl('redis+sentinel://:hunter2@h1:26379')).toThrow(ConfigError)
    expect(() => parseSentinelUrl('redis+sentinel://:hunter2@h1:26379')).not.toThrow(/hunter2/)
    expect(() => parseSentinelUrl('redis+sentinel://h1/m?timeout=1')).toThrow(
      /unknown Sentinel URL option "timeout"/,
    )
    expect(() => parseSentinelUrl('redis+sentinel://h1/m/x')).toThrow(/db/)
    expect(() => parseSentinelUrl('redis://h1/m')).toThrow(ConfigError)
  })

  it('tells Sentinel URLs from others by their scheme', () => {
    expect(isSentinelUrl('redis+sentinel://h/m')).toBe(true)
    expect(isSentinelUrl('VALKEYS+SENTINEL://h/m')).toBe(true)
    expect(isSentinelUrl('redis://h:6379')).toBe(false)
  })
})
