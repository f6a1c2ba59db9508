/**
 * The CLI's configuration: `floodgate bridge --flag value ...` with an environment fallback for
 * each flag. Pure (argv and env in, a config or a ConfigError out) so every rule is unit-tested.
 */
import { hasSeveralHosts, parseSeedUrl } from '../client/cluster/seeds.ts'
import { isSentinelUrl, parseSentinelUrl } from '../client/tcp/sentinel/url.ts'
import { ConfigError } from '../errors.ts'
import { type Duration, parseDuration } from '../limit/duration.ts'
import { type AccessClass, DEFAULT_ACL_USERS } from './acl-rules.ts'
import { DEFAULT_BODY_LIMITS } from './request.ts'
import { DEFAULT_MAX_STREAM_BUFFER } from './sse.ts'

export interface BridgeConfig {
  host: string
  port: number
  upstream: string
  tokens: string[]
  readOnlyTokens: string[]
  allowCommands: string[]
  maxBody: number
  maxArgs: number
  maxCommands: number
  upstreamTimeout: number
  headersTimeout: number
  requestTimeout: number
  maxStreams: number
  maxStreamBuffer: number
  workers: number
  logLevel: 'debug' | 'info' | 'warn' | 'error'
  /** The upstream is a Valkey Cluster (set by `--cluster`, or by an upstream listing several seeds). */
  cluster?: true
  /**
   * Create and update the ACL users at start: `'auto'` (the default) does so when the upstream
   * user may run `ACL SETUSER`, and otherwise uses the configured passwords.
   */
  manageAcl: boolean | 'auto'
  /** The Valkey users each token class runs as; a missing password is generated at start. */
  aclUsers: Record<AccessClass, AclUser>
  /** `--print-acl`: print the `ACL SETUSER` lines for this configuration and exit. */
  printAcl?: true
  /** Serve the decisions dashboard at `/dashboard` (`--dashboard`). */
  dashboard?: true
  /** The limiters' analytics bucket, ms, when not the default minute (`--analytics-bucket`). */
  analyticsBucket?: number
  /** `--limiter-metrics=false`: no limiter series on `/metrics` (their reads move keyspace stats). */
  limiterMetrics?: false
}

/** A Valkey ACL user the bridge authenticates as. */
export interface AclUser {
  username: string
  password?: string
  /**
   * The password was generated at start (by the `--workers` primary): it is added to the user's
   * passwords instead of replacing them, so other bridges on the same Valkey keep theirs.
   */
  generated?: true
}

interface Flag {
  name: string
  env?: string
  value: string
  help: string
  repeat?: boolean
  /** A switch: `--name` alone means on; `--name=false` off. */
  boolean?: boolean
}

export const FLAGS: readonly Flag[] = [
  {
    name: 'listen',
    env: 'FLOODGATE_LISTEN',
    value: 'HOST:PORT',
    help: 'address to serve on (default 127.0.0.1:8079)',
  },
  {
    name: 'upstream',
    env: 'FLOODGATE_UPSTREAM',
    value: 'URL',
    help: 'Valkey to forward to: redis://[user:pass@]host:port[/db], rediss:// for TLS; a cluster as redis://host1:port1,host2:port2; a Sentinel-managed primary as redis+sentinel://[:pass@]host1:26379,host2:26379/mymaster (default redis://127.0.0.1:6379)',
  },
  {
    name: 'cluster',
    env: 'FLOODGATE_CLUSTER',
    value: '',
    help: 'the upstream is a Valkey Cluster (implied when --upstream lists several host:port seeds)',
    boolean: true,
  },
  {
    name: 'dashboard',
    env: 'FLOODGATE_DASHBOARD',
    value: '',
    help: 'serve the decisions dashboard at /dashboard, opened with any token (see docs/analytics.md)',
    boolean: true,
  },
  {
    name: 'limiter-metrics',
    env: 'FLOODGATE_LIMITER_METRICS',
    value: '',
    help: "read the limiters' analytics for floodgate_limiter_decisions on /metrics (default true)",
    boolean: true,
  },
  {
    name: 'analytics-bucket',
    env: 'FLOODGATE_ANALYTICS_BUCKET',
    value: 'DURATION',
    help: "the limiters' analytics bucket, read for floodgate_limiter_decisions on /metrics (default 1 m)",
  },
  {
    name: 'token',
    env: 'FLOODGATE_TOKENS',
    value: 'SECRET',
    help: 'a token that may run every allowed command; repeatable (env: comma-separated)',
    repeat: true,
  },
  {
    name: 'read-only-token',
    env: 'FLOODGATE_READONLY_TOKENS',
    value: 'SECRET',
    help: 'a token limited to read commands; repeatable (env: comma-separated)',
    repeat: true,
  },
  {
    name: 'allow-command',
    env: 'FLOODGATE_ALLOW_COMMANDS',
    value: 'NAME',
    help: 'run a command refused by default, e.g. FLUSHDB or "CLIENT KILL"; repeatable',
    repeat: true,
  },
  {
    name: 'manage-acl',
    env: 'FLOODGATE_MANAGE_ACL',
    value: '',
    help: 'create/update the Valkey ACL users at start (default: when the upstream user may run ACL SETUSER); --manage-acl=false to use the passwords given below',
    boolean: true,
  },
  {
    name: 'acl-full-user',
    env: 'FLOODGATE_ACL_FULL_USER',
    value: 'NAME',
    help: `Valkey user for full tokens (default ${DEFAULT_ACL_USERS.full})`,
  },
  {
    name: 'acl-full-password',
    env: 'FLOODGATE_ACL_FULL_PASSWORD',
    value: 'SECRET',
    help: 'its password (default: generated at start when the bridge manages the users)',
  },
  {
    name: 'acl-read-only-user',
    env: 'FLOODGATE_ACL_READONLY_USER',
    value: 'NAME',
    help: `Valkey user for read-only tokens (default ${DEFAULT_ACL_USERS['read-only']})`,
  },
  {
    name: 'acl-read-only-password',
    env: 'FLOODGATE_ACL_READONLY_PASSWORD',
    value: 'SECRET',
    help: 'its password (default: generated at start when the bridge manages the users)',
  },
  {
    name: 'print-acl',
    value: '',
    help: 'print the ACL SETUSER lines for this configuration and exit',
    boolean: true,
  },
  {
    name: 'max-body',
    env: 'FLOODGATE_MAX_BODY',
    value: 'BYTES',
    help: 'largest request body (default 10485760)',
  },
  {
    name: 'max-args',
    env: 'FLOODGATE_MAX_ARGS',
    value: 'N',
    help: 'most arguments in one request, all its commands together (default 100000)',
  },
  {
    name: 'max-commands',
    env: 'FLOODGATE_MAX_COMMANDS',
    value: 'N',
    help: 'most commands in one /pipeline or /multi-exec request (default 10000)',
  },
  {
    name: 'upstream-timeout',
    env: 'FLOODGATE_UPSTREAM_TIMEOUT',
    value: 'MS',
    help: 'how long a request waits for Valkey before a 504 JSON error; a script running longer is ended (default 5000)',
  },
  {
    name: 'headers-timeout',
    env: 'FLOODGATE_HEADERS_TIMEOUT',
    value: 'MS',
    help: 'a client must send its headers within this time, else 408 (default 10000)',
  },
  {
    name: 'request-timeout',
    env: 'FLOODGATE_REQUEST_TIMEOUT',
    value: 'MS',
    help: 'a client must send its whole request within this time, else 408 (default 30000)',
  },
  {
    name: 'max-streams',
    env: 'FLOODGATE_MAX_STREAMS',
    value: 'N',
    help: 'most subscribe (SSE) streams open at once, each a Valkey connection (default 1000)',
  },
  {
    name: 'max-stream-buffer',
    env: 'FLOODGATE_MAX_STREAM_BUFFER',
    value: 'BYTES',
    help: 'most bytes one subscribe stream holds for a slow reader before it is ended with an error event (default 4194304)',
  },
  {
    name: 'workers',
    env: 'FLOODGATE_WORKERS',
    value: 'N',
    help: 'serve from N processes (node:cluster; default 1)',
  },
  {
    name: 'log-level',
    env: 'FLOODGATE_LOG_LEVEL',
    value: 'LEVEL',
    help: 'debug (adds one line per request), info, warn or error (default info)',
  },
]

/** The `--help` text. */
export const usage = (): string => {
  const lines = FLAGS.map((f) => {
    const left = `  --${f.name} ${f.value}`.padEnd(34)
    return `${left}${f.help}${f.env ? ` [env ${f.env}]` : ''}`
  })
  return [
    'Usage: floodgate bridge [options]',
    '',
    'An Upstash-compatible HTTP API in front of Valkey, for runtimes without TCP.',
    '',
    'Options:',
    ...lines,
    `${'  --help'.padEnd(34)}show this help`,
    `${'  --version'.padEnd(34)}print the version`,
    '',
    'Example:',
    '  FLOODGATE_TOKENS=$(openssl rand -hex 32) floodgate bridge --listen 127.0.0.1:8079 --upstream redis://127.0.0.1:6379',
  ].join('\n')
}

const integer = (flag: string, text: string, min: number, max = Number.MAX_SAFE_INTEGER): number => {
  const n = /^\d+$/.test(text.trim()) ? Number(text) : Number.NaN
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new ConfigError(`--${flag} must be an integer from ${min} to ${max}, got ${JSON.stringify(text)}`)
  }
  return n
}

const parseListen = (text: string): { host: string; port: number } => {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(text) ?? /^()()(\d+)$/.exec(text)
  if (!match)
    throw new ConfigError(`--listen must be HOST:PORT (e.g. 127.0.0.1:8079), got ${JSON.stringify(text)}`)
  return { host: match[1] || match[2] || '127.0.0.1', port: integer('listen', match[3]!, 0, 65535) }
}

const SWITCH: Record<string, boolean> = {
  true: true,
  '1': true,
  yes: true,
  false: false,
  '0': false,
  no: false,
}

const checkUpstream = (text: string): string => {
  if (isSentinelUrl(text)) {
    parseSentinelUrl(text)
    return text
  }
  let url: URL
  try {
    // A cluster's seeds share the scheme and credentials: check the URL of the first one.
    url = new URL(hasSeveralHosts(text) ? parseSeedUrl(text).urlFor(parseSeedUrl(text).seeds[0]!) : text)
  } catch {
    throw new ConfigError('--upstream must be a URL like redis://127.0.0.1:6379')
  }
  if (!['redis:', 'rediss:', 'valkey:', 'valkeys:'].includes(url.protocol)) {
    throw new ConfigError(
      `--upstream must start with redis://, rediss://, valkey:// or valkeys://, got ${url.protocol}//`,
    )
  }
  return text
}

/**
 * Reads `floodgate bridge ...` arguments (after the `bridge` word) and the environment. Returns
 * `'help'` for `--help`. Throws ConfigError with a message naming the flag.
 *
 * @example
 * parseConfig(['--token', 'a-long-secret'], {}).port // 8079
 */
export const parseConfig = (
  argv: readonly string[],
  env: Record<string, string | undefined>,
): BridgeConfig | 'help' => {
  const given = new Map<string, string[]>()
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === '--help' || arg === '-h') return 'help'
    if (!arg.startsWith('--')) throw new ConfigError(`unexpected argument ${JSON.stringify(arg)}; see --help`)
    const eq = arg.indexOf('=')
    const name = arg.slice(2, eq === -1 ? undefined : eq)
    const flag = FLAGS.find((f) => f.name === name)
    if (!flag) throw new ConfigError(`unknown option --${name}; see --help`)
    let value: string | undefined = eq === -1 ? (flag.boolean ? 'true' : argv[++i]) : arg.slice(eq + 1)
    if (value === undefined || (eq === -1 && value.startsWith('--'))) {
      throw new ConfigError(`--${name} needs a value (${flag.value})`)
    }
    value = value.trim()
    const list = given.get(name) ?? []
    if (list.length > 0 && !flag.repeat) throw new ConfigError(`--${name} was given twice`)
    given.set(name, [...list, value])
  }
  const one = (name: string): string | undefined => {
    const flag = FLAGS.find((f) => f.name === name)!
    return given.get(name)?.[0] ?? (flag.env ? env[flag.env]?.trim() || undefined : undefined)
  }
  const many = (name: string): string[] => {
    const flag = FLAGS.find((f) => f.name === name)!
    const fromFlags = given.get(name)
    if (fromFlags) return fromFlags
    const raw = flag.env ? env[flag.env] : undefined
    return raw
      ? raw
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s.length > 0)
      : []
  }
  const { host, port } = parseListen(one('listen') ?? '127.0.0.1:8079')
  const tokens = many('token')
  const readOnlyTokens = many('read-only-token')
  if (tokens.length + readOnlyTokens.length === 0) {
    throw new ConfigError(
      'no token configured: pass --token <secret> or set FLOODGATE_TOKENS (generate one with `openssl rand -hex 32`)',
    )
  }
  const logLevel = one('log-level') ?? 'info'
  if (!['debug', 'info', 'warn', 'error'].includes(logLevel)) {
    throw new ConfigError(`--log-level must be debug, info, warn or error, got ${JSON.stringify(logLevel)}`)
  }
  const numberOf = (name: string, fallback: number, min: number, max?: number) => {
    const text = one(name)
    return text === undefined ? fallback : integer(name, text, min, max)
  }
  const upstream = checkUpstream(one('upstream') ?? 'redis://127.0.0.1:6379')
  const cluster = switchOf('cluster', one('cluster')) ?? false
  const manageText = one('manage-acl')
  const manageAcl =
    manageText?.toLowerCase() === 'auto' ? 'auto' : (switchOf('manage-acl', manageText) ?? 'auto')
  const printAcl = switchOf('print-acl', one('print-acl')) ?? false
  const user = (name: string, fallback: string): AclUser => {
    const username = one(`${name}-user`) ?? fallback
    if (!/^[^\s]+$/.test(username))
      throw new ConfigError(`--${name}-user must be one word, got ${JSON.stringify(username)}`)
    const password = one(`${name}-password`)
    if (password !== undefined && (password.length < 16 || /\s/.test(password))) {
      throw new ConfigError(
        `--${name}-password must be at least 16 characters without whitespace; generate one with \`openssl rand -hex 32\``,
      )
    }
    return password === undefined ? { username } : { username, password }
  }
  const aclUsers = {
    full: user('acl-full', DEFAULT_ACL_USERS.full),
    'read-only': user('acl-read-only', DEFAULT_ACL_USERS['read-only']),
  }
  if (aclUsers.full.username === aclUsers['read-only'].username) {
    throw new ConfigError(
      '--acl-full-user and --acl-read-only-user must differ: each token class has its own Valkey user',
    )
  }
  const dashboard = switchOf('dashboard', one('dashboard')) ?? false
  const analyticsBucket = durationOf('analytics-bucket', one('analytics-bucket'))
  const limiterMetrics = switchOf('limiter-metrics', one('limiter-metrics')) ?? true
  return {
    ...(analyticsBucket !== undefined ? { analyticsBucket } : {}),
    ...(limiterMetrics ? {} : { limiterMetrics: false as const }),
    ...(!isSentinelUrl(upstream) && (cluster || hasSeveralHosts(upstream)) ? { cluster: true as const } : {}),
    ...(dashboard ? { dashboard: true as const } : {}),
    host,
    port,
    upstream,
    tokens,
    readOnlyTokens,
    allowCommands: many('allow-command'),
    maxBody: numberOf('max-body', 10 * 1024 * 1024, 1),
    maxArgs: numberOf('max-args', DEFAULT_BODY_LIMITS.maxArgs, 1),
    maxCommands: numberOf('max-commands', DEFAULT_BODY_LIMITS.maxCommands, 1),
    upstreamTimeout: numberOf('upstream-timeout', 5000, 1),
    headersTimeout: numberOf('headers-timeout', 10_000, 1),
    requestTimeout: numberOf('request-timeout', 30_000, 1),
    maxStreams: numberOf('max-streams', 1000, 0),
    maxStreamBuffer: numberOf('max-stream-buffer', DEFAULT_MAX_STREAM_BUFFER, 1024),
    workers: numberOf('workers', 1, 1, 256),
    logLevel: logLevel as BridgeConfig['logLevel'],
    manageAcl,
    aclUsers,
    ...(printAcl ? { printAcl: true as const } : {}),
  }
}

/**
 * A flag's duration in ms. Its unit is required (`parseDuration` takes bare milliseconds only as a
 * number, never as text), so the message asks for one rather than repeat `parseDuration`'s offer
 * of "a whole number of milliseconds", which a flag cannot be.
 */
const durationOf = (name: string, text: string | undefined): number | undefined => {
  if (text === undefined) return undefined
  try {
    return parseDuration(text as Duration, `--${name}`)
  } catch (error) {
    throw new ConfigError(
      `--${name} must be a positive duration with its unit, like '10 s', '1 m' or '500 ms' (units ms, s, m, h, d, w), got ${JSON.stringify(text)}`,
      { cause: error },
    )
  }
}

const switchOf = (name: string, text: string | undefined): boolean | undefined => {
  if (text === undefined) return undefined
  const value = SWITCH[text.toLowerCase()]
  if (value === undefined) {
    throw new ConfigError(`--${name} takes no value, or true/false, got ${JSON.stringify(text)}`)
  }
  return value
}
