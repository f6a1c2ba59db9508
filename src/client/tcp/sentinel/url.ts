/**
 * Sentinel URLs, in the spelling Python's `limits`, prefect-redis and Redis-Sentinel-Url share:
 * `redis+sentinel://[user:password@]host1[:26379],host2[:26379]/<primary name>[/db]`, with
 * `rediss+sentinel://` for TLS to every node (and the `valkey+sentinel` / `valkeys+sentinel`
 * aliases). The credentials in the authority are the data nodes'; Sentinels that have their own
 * `requirepass` take `?sentinelPassword=` (and `sentinelUsername`; prefect's snake_case names are
 * accepted too). `?role=replica` connects to a replica, for reads.
 */
import { ConfigError } from '../../../errors.ts'
import { parseHostPort } from '../../cluster/seeds.ts'

export interface SentinelAddress {
  host: string
  port: number
}

export interface SentinelUrl {
  sentinels: SentinelAddress[]
  /** The primary's name in the Sentinels' configuration (`sentinel monitor <name> ...`). */
  name: string
  tls: boolean
  username?: string
  password?: string
  db?: number
  sentinelUsername?: string
  sentinelPassword?: string
  role: 'primary' | 'replica'
}

const SCHEMES: Record<string, boolean> = {
  'redis+sentinel': false,
  'valkey+sentinel': false,
  'rediss+sentinel': true,
  'valkeys+sentinel': true,
}

/** True when `url` is a Sentinel URL (only its scheme is looked at). */
export const isSentinelUrl = (url: string): boolean => /^(redis|valkey)s?\+sentinel:/i.test(url.trim())

const decode = (text: string, what: string): string => {
  try {
    return decodeURIComponent(text)
  } catch (cause) {
    throw new ConfigError(`the ${what} in the Sentinel URL has a malformed percent-escape`, { cause })
  }
}

/**
 * Parses a Sentinel URL. The default Sentinel port is 26379. Messages never contain a password.
 *
 * @example
 * parseSentinelUrl('redis+sentinel://:s3cret@10.0.0.1,10.0.0.2:26380/mymaster/2')
 * // { sentinels: [{ host: '10.0.0.1', port: 26379 }, { host: '10.0.0.2', port: 26380 }],
 * //   name: 'mymaster', db: 2, password: 's3cret', tls: false, role: 'primary' }
 */
export const parseSentinelUrl = (url: string): SentinelUrl => {
  const match = /^([a-z+]+):\/\/([^/?#]*)(\/[^?#]*)?(\?[^#]*)?$/i.exec(url.trim())
  const tls = match ? SCHEMES[match[1]!.toLowerCase()] : undefined
  if (!match || tls === undefined) {
    throw new ConfigError(
      'a Sentinel URL looks like redis+sentinel://[:password@]host1:26379,host2:26379/mymaster[/db]',
    )
  }
  const authority = match[2]!
  const at = authority.lastIndexOf('@')
  const userinfo = at === -1 ? '' : authority.slice(0, at)
  const sentinels = authority
    .slice(at + 1)
    .split(',')
    .filter((h) => h.trim() !== '')
    .map((h) => {
      const withPort = /(\]|^[^:]*):\d+$/.test(h.trim()) ? h : `${h.trim()}:26379`
      try {
        const { host, port } = parseHostPort(withPort)
        return { host, port }
      } catch {
        throw new ConfigError(`Sentinel "${h.trim()}" is not host:port (e.g. 10.0.0.7:26379)`)
      }
    })
  if (sentinels.length === 0) throw new ConfigError('the Sentinel URL names no Sentinel host')
  const path = (match[3] ?? '').split('/').filter((p) => p !== '')
  if (path.length === 0 || path.length > 2) {
    throw new ConfigError(
      "the Sentinel URL's path must be the primary's name, then optionally the db: /mymaster/0",
    )
  }
  const out: SentinelUrl = { sentinels, name: decode(path[0]!, 'primary name'), tls, role: 'primary' }
  if (path[1] !== undefined) {
    if (!/^\d{1,5}$/.test(path[1]))
      throw new ConfigError(`the db in the Sentinel URL must be a number, got /${path[1]}`)
    out.db = Number(path[1])
  }
  if (userinfo !== '') {
    // `user:password`, `:password`, or (Redis-Sentinel-Url's form) a bare password.
    const colon = userinfo.indexOf(':')
    if (colon > 0) out.username = decode(userinfo.slice(0, colon), 'user name')
    out.password = decode(userinfo.slice(colon + 1), 'password')
  }
  for (const [key, value] of new URLSearchParams(match[4] ?? '')) {
    if (key === 'sentinelPassword' || key === 'sentinel_password') out.sentinelPassword = value
    else if (key === 'sentinelUsername' || key === 'sentinel_username') out.sentinelUsername = value
    else if (key === 'role' && (value === 'primary' || value === 'master')) out.role = 'primary'
    else if (key === 'role' && (value === 'replica' || value === 'slave')) out.role = 'replica'
    else
      throw new ConfigError(
        `unknown Sentinel URL option ${JSON.stringify(key)}: use sentinelPassword, sentinelUsername or role`,
      )
  }
  return out
}
