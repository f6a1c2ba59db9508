import { describe, expect, it } from 'vitest'
import { parseConfig, usage } from '../../src/bridge/config.ts'
import { ConfigError } from '../../src/errors.ts'

const TOKEN = 'a-token-of-32-characters-or-more'

describe('parseConfig', () => {
  it('has safe defaults and needs only a token', () => {
    expect(parseConfig(['--token', TOKEN], {})).toEqual({
      host: '127.0.0.1',
      port: 8079,
      upstream: 'redis://127.0.0.1:6379',
      tokens: [TOKEN],
      readOnlyTokens: [],
      allowCommands: [],
      maxBody: 10 * 1024 * 1024,
      maxArgs: 100_000,
      maxCommands: 10_000,
      upstreamTimeout: 5000,
      headersTimeout: 10_000,
      requestTimeout: 30_000,
      maxStreams: 1000,
      maxStreamBuffer: 4 * 1024 * 1024,
      workers: 1,
      logLevel: 'info',
      manageAcl: 'auto',
      aclUsers: { full: { username: 'floodgate-full' }, 'read-only': { username: 'floodgate-ro' } },
    })
  })

  it('reads every flag, repeatable ones included, in both --flag value and --flag=value forms', () => {
    const config = parseConfig(
      [
        '--listen=0.0.0.0:9000',
        '--upstream',
        'rediss://user:pw@cache:6380/2',
        '--token',
        'token-one-xxxx',
        '--token=token-two-xxxx',
        '--read-only-token',
        'reader-xxxxxxx',
        '--allow-command',
        'FLUSHDB',
        '--allow-command',
        'CLIENT KILL',
        '--max-body',
        '1024',
        '--upstream-timeout',
        '250',
        '--workers',
        '2',
      ],
      {},
    )
    expect(config).toMatchObject({
      host: '0.0.0.0',
      port: 9000,
      upstream: 'rediss://user:pw@cache:6380/2',
      tokens: ['token-one-xxxx', 'token-two-xxxx'],
      readOnlyTokens: ['reader-xxxxxxx'],
      allowCommands: ['FLUSHDB', 'CLIENT KILL'],
      maxBody: 1024,
      upstreamTimeout: 250,
      workers: 2,
    })
  })

  it('falls back to the environment, flags winning', () => {
    const env = {
      FLOODGATE_LISTEN: ':7000',
      FLOODGATE_UPSTREAM: 'valkey://10.0.0.5:6379',
      FLOODGATE_TOKENS: 'env-token-1xx, env-token-2xx',
      FLOODGATE_READONLY_TOKENS: 'env-reader-1x',
    }
    expect(parseConfig([], env)).toMatchObject({
      host: '127.0.0.1',
      port: 7000,
      upstream: 'valkey://10.0.0.5:6379',
      tokens: ['env-token-1xx', 'env-token-2xx'],
      readOnlyTokens: ['env-reader-1x'],
    })
    expect(parseConfig(['--token', TOKEN, '--listen', '[::1]:8080'], env)).toMatchObject({
      host: '::1',
      port: 8080,
      tokens: [TOKEN],
    })
  })

  it('returns help for --help', () => {
    expect(parseConfig(['--help'], {})).toBe('help')
    for (const flag of [
      '--listen',
      '--upstream',
      '--token',
      '--read-only-token',
      '--allow-command',
      '--max-body',
      '--upstream-timeout',
      '--workers',
    ]) {
      expect(usage()).toContain(flag)
    }
    expect(usage()).toContain('FLOODGATE_TOKENS')
  })

  it('rejects bad configuration with a ConfigError naming the flag, never echoing a token', () => {
    const cases: Array<[string[], RegExp]> = [
      [[], /no token configured/],
      [['--token', TOKEN, '--listen', 'nonsense'], /--listen must be HOST:PORT/],
      [['--token', TOKEN, '--listen', '1.2.3.4:99999'], /--listen must be an integer from 0 to 65535/],
      [['--token', TOKEN, '--upstream', 'http://x'], /--upstream must start with redis/],
      [['--token', TOKEN, '--upstream', 'not a url'], /--upstream must be a URL/],
      [['--token', TOKEN, '--max-body', '-1'], /--max-body must be an integer/],
      [['--token', TOKEN, '--workers', '0'], /--workers must be an integer from 1/],
      [['--token', TOKEN, '--bogus'], /unknown option --bogus/],
      [['--token'], /--token needs a value/],
      [['--token', TOKEN, '--listen', ':1', '--listen', ':2'], /given twice/],
      [['--token', TOKEN, 'extra'], /unexpected argument/],
    ]
    for (const [argv, message] of cases) {
      let error: unknown
      try {
        parseConfig(argv, {})
      } catch (e) {
        error = e
      }
      expect(error).toBeInstanceOf(ConfigError)
      expect(String(error)).toMatch(message)
      expect(String(error)).not.toContain(TOKEN)
    }
  })
})
