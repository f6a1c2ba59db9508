/**
 * Which commands the bridge runs. Three kinds of refusal:
 * - commands that would break the shared, pipelined upstream connection (blocking commands,
 *   WATCH/MULTI/EXEC, SUBSCRIBE, SELECT, HELLO, CLIENT REPLY, ...) or stall or take over Valkey
 *   for everyone (DEBUG, MONITOR, SCRIPT DEBUG): always refused;
 * - dangerous administration commands (FLUSHALL, CONFIG, SHUTDOWN, ...): refused unless the
 *   deployment allow-lists them (`--allow-command FLUSHDB`, `--allow-command "CLIENT KILL"`);
 * - anything but a read command for a read-only token.
 * This check only gives the clear error: Valkey enforces the same rules through the ACL users
 * that acl-rules.ts builds from these lists, inside scripts and functions too.
 */
import { READ_COMMANDS } from './read-commands.ts'

/** Refused unless allow-listed. An entry is a command or `COMMAND SUBCOMMAND`. */
export const DANGEROUS_COMMANDS: readonly string[] = [
  'FLUSHALL',
  'FLUSHDB',
  'CONFIG',
  'SHUTDOWN',
  'MODULE',
  'ACL',
  'REPLICAOF',
  'SLAVEOF',
  'FAILOVER',
  'CLIENT KILL',
  'CLIENT PAUSE',
  'CLIENT UNPAUSE',
  'CLIENT UNBLOCK',
  'FUNCTION FLUSH',
  'FUNCTION RESTORE',
  'MIGRATE',
  'CLUSTER RESET',
  'CLUSTER FAILOVER',
  'CLUSTER FORGET',
  'CLUSTER MEET',
]

export const BLOCKING: ReadonlySet<string> = new Set([
  'BLPOP',
  'BRPOP',
  'BRPOPLPUSH',
  'BLMOVE',
  'BLMPOP',
  'BZPOPMIN',
  'BZPOPMAX',
  'BZMPOP',
])
const BLOCKING_HINT = 'blocking commands would stall the shared upstream connection; poll instead'

/**
 * Refused always, whatever the allow-list says, with the reason. An entry is a command or
 * `COMMAND SUBCOMMAND`.
 */
export const NEVER: ReadonlyMap<string, string> = new Map([
  ...[...BLOCKING, 'WAIT', 'WAITAOF'].map((name): [string, string] => [name, BLOCKING_HINT]),
  ...['MULTI', 'EXEC', 'DISCARD'].map((name): [string, string] => [
    name,
    'send the whole transaction to /multi-exec instead',
  ]),
  ...['WATCH', 'UNWATCH'].map((name): [string, string] => [
    name,
    'WATCH needs a connection of its own; use /multi-exec or a Lua script',
  ]),
  ...['SUBSCRIBE', 'PSUBSCRIBE', 'SSUBSCRIBE', 'UNSUBSCRIBE', 'PUNSUBSCRIBE', 'SUNSUBSCRIBE'].map(
    (name): [string, string] => [
      name,
      'subscribe with the /subscribe/<channel> or /psubscribe/<pattern> stream',
    ],
  ),
  ...['SELECT', 'SWAPDB', 'AUTH', 'HELLO', 'RESET', 'QUIT', 'READONLY', 'READWRITE', 'SYNC', 'PSYNC'].map(
    (name): [string, string] => [name, 'it changes the state of the shared upstream connection'],
  ),
  ...['DEBUG', 'MONITOR', 'SCRIPT DEBUG', 'REPLCONF'].map((name): [string, string] => [
    name,
    'it can stall Valkey for every client or take over the shared upstream connection',
  ]),
])

/**
 * Commands the bridge itself sends on its upstream connections although clients may not
 * (MULTI/EXEC/DISCARD wrap /multi-exec): the ACL users must allow them.
 */
export const BRIDGE_OWN = ['MULTI', 'EXEC', 'DISCARD'] as const

/** CLIENT subcommands that only read; the rest change the connection or the server. */
export const CLIENT_READS: ReadonlySet<string> = new Set([
  'ID',
  'INFO',
  'LIST',
  'GETNAME',
  'GETREDIR',
  'TRACKINGINFO',
  'HELP',
])

/** Subcommands a read-only token may run, for the families whose other subcommands write. */
export const READ_SUBCOMMANDS: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ['CLIENT', CLIENT_READS],
  ['SCRIPT', new Set(['EXISTS'])],
  ['FUNCTION', new Set(['LIST', 'DUMP'])],
  ['MEMORY', new Set(['USAGE', 'STATS', 'HELP'])],
])

export interface PolicyOptions {
  /** Entries of DANGEROUS_COMMANDS to run anyway, e.g. `['FLUSHDB', 'CLIENT KILL']`. */
  allow?: readonly string[]
}

/** Checks one command; returns undefined when it may run, or the refusal message. */
export type Policy = (args: readonly (string | Uint8Array)[], readOnly: boolean) => string | undefined

const word = (arg: string | Uint8Array | undefined): string =>
  typeof arg === 'string' ? arg.toUpperCase() : ''

const normalise = (entry: string): string =>
  entry
    .trim()
    .toUpperCase()
    .replace(/[\s|]+/g, ' ')

/**
 * Builds the command policy. Unknown entries in `allow` are a caller mistake and throw.
 *
 * @example
 * const policy = createPolicy({ allow: ['FLUSHDB'] })
 * policy(['FLUSHDB'], false) // undefined: allowed
 * policy(['BLPOP', 'q', '0'], false) // 'ERR BLPOP is not allowed through the bridge: ...'
 */
export const createPolicy = ({ allow = [] }: PolicyOptions = {}): Policy => {
  const dangerous = new Set(DANGEROUS_COMMANDS)
  const allowed = new Set<string>()
  for (const entry of allow) {
    const name = normalise(entry)
    const never = NEVER.get(name)
    if (never !== undefined) {
      throw new TypeError(
        `allow-command ${JSON.stringify(entry)}: ${name} is never allowed through the bridge: ${never}`,
      )
    }
    const known = dangerous.has(name) || DANGEROUS_COMMANDS.some((d) => d.startsWith(`${name} `))
    if (!known) {
      throw new TypeError(
        `allow-command ${JSON.stringify(entry)} is not a refused command; the refused commands are: ${DANGEROUS_COMMANDS.join(', ')}`,
      )
    }
    allowed.add(name)
  }
  const isAllowed = (name: string, sub: string): boolean => allowed.has(name) || allowed.has(`${name} ${sub}`)

  return function policy(args, readOnly) {
    const name = word(args[0])
    const sub = word(args[1])
    const never = NEVER.get(name)
    if (never !== undefined) return `ERR ${name} is not allowed through the bridge: ${never}`
    const neverSub = NEVER.get(`${name} ${sub}`)
    if (neverSub !== undefined) return `ERR ${name} ${sub} is not allowed through the bridge: ${neverSub}`
    if ((name === 'XREAD' || name === 'XREADGROUP') && args.some((a) => word(a) === 'BLOCK')) {
      return `ERR ${name} BLOCK is not allowed through the bridge: ${BLOCKING_HINT}`
    }
    if (name === 'CLIENT' && !CLIENT_READS.has(sub) && !dangerous.has(`CLIENT ${sub}`)) {
      return `ERR CLIENT ${sub} is not allowed through the bridge: it changes the state of the shared upstream connection`
    }
    if ((dangerous.has(name) || dangerous.has(`${name} ${sub}`)) && !isAllowed(name, sub)) {
      const what = dangerous.has(name) ? name : `${name} ${sub}`
      return `NOPERM ${what} is refused by this bridge; its operator can allow it with --allow-command "${what}"`
    }
    if (readOnly && !isRead(name, sub)) {
      return `NOPERM this token is read-only and ${name} is not a read command`
    }
    return undefined
  }
}

const isRead = (name: string, sub: string): boolean =>
  READ_COMMANDS.has(name) || READ_SUBCOMMANDS.get(name)?.has(sub) === true
