/**
 * `redis://` / `rediss://` / `valkey://` / `valkeys://` URLs for the TCP client, parsed with the
 * WHATWG `URL` (IANA redis URI scheme: `redis://[user[:password]@]host[:port][/db]`). A bad URL is a
 * `ConfigError` whose message never contains the password.
 */
import { ConfigError } from '../../errors.ts'

/** Where and as whom the TCP client connects. */
export interface TcpEndpoint {
  host: string
  port: number
  tls: boolean
  username?: string
  password?: string
  db?: number
}

const SCHEMES: Record<string, boolean> = {
  'redis:': false,
  'valkey:': false,
  'rediss:': true,
  'valkeys:': true,
}

const decode = (part: string, what: string): string => {
  try {
    return decodeURIComponent(part)
  } catch (cause) {
    throw new ConfigError(
      `the ${what} in the Valkey URL has a malformed percent-escape; encode it with encodeURIComponent`,
      {
        cause,
      },
    )
  }
}

/**
 * Parses a Valkey URL. The user name and password are percent-decoded; the path is the database.
 *
 * @example
 * parseTcpUrl('rediss://app:s%40cret@cache.internal:6380/2')
 * // { host: 'cache.internal', port: 6380, tls: true, username: 'app', password: 's@cret', db: 2 }
 */
export const parseTcpUrl = (url: string): TcpEndpoint => {
  if (typeof url !== 'string')
    throw new TypeError(`url must be a string such as 'redis://127.0.0.1:6379', received ${typeof url}`)
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    // NOTE: the input is not echoed: it may hold a password.
    throw new ConfigError("invalid Valkey URL: expected the form 'redis://user:password@host:port/db'")
  }
  const tls = SCHEMES[parsed.protocol]
  if (tls === undefined) {
    throw new ConfigError(
      `unsupported scheme '${parsed.protocol}' for a TCP connection: use redis://, rediss://, valkey:// or valkeys://`,
    )
  }
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1')
  if (host === '') throw new ConfigError("the Valkey URL has no host: expected 'redis://host:port'")
  const port = parsed.port === '' ? 6379 : Number(parsed.port)
  const endpoint: TcpEndpoint = { host, port, tls }
  if (parsed.username !== '') endpoint.username = decode(parsed.username, 'user name')
  if (parsed.password !== '') endpoint.password = decode(parsed.password, 'password')
  const path = parsed.pathname.replace(/^\//, '')
  if (path !== '') {
    if (!/^\d{1,5}$/.test(path)) {
      throw new ConfigError(`the Valkey URL path must be a database number such as '/0', received '/${path}'`)
    }
    endpoint.db = Number(path)
  }
  if (parsed.search !== '' || parsed.hash !== '') {
    throw new ConfigError(
      'the Valkey URL takes no query or fragment; pass options to createTcpClient instead',
    )
  }
  return endpoint
}

/**
 * The commands a new connection sends before anything else: AUTH when a password is set (with the
 * username for an ACL user), SELECT when the database is not 0. Shared by the client's connections
 * and the bridge's subscriber connections, so both log in the same way.
 */
export const handshakeCommands = ({ username, password, db }: TcpEndpoint): string[][] => {
  const commands: string[][] = []
  if (password !== undefined) {
    commands.push(username === undefined ? ['AUTH', password] : ['AUTH', username, password])
  }
  if (db !== undefined && db !== 0) commands.push(['SELECT', String(db)])
  return commands
}
