/**
 * Which commands the bridge runs. Three kinds of refusal:
 * - commands that would break the shared, pipelined upstream connection (blocking commands,
 *   WATCH/MULTI/EXEC, SUBSCRIBE, SELECT, HELLO, CLIENT REPLY, ...): always refused;
 * - dangerous administration commands (FLUSHALL, CONFIG, SHUTDOWN, ...): refused unless the
 *   deployment allow-lists them (`--allow-command FLUSHDB`, `--allow-command "CLIENT KILL"`);
 * - anything but a read command for a read-only token.
 */
import { READ_COMMANDS } from './read-commands.ts'

/** Refused unless allow-listed. An entry is a command or `COMMAND SUBCOMMAND`. */
export const DANGEROUS_COMMANDS: readonly string[] = [
  'FLUSHALL',
  'FLUSHDB',
  'CONFIG',
  'SHUTDOWN',
  'DEBUG',
  'MODULE',
  'ACL',
  'REPLICAOF',
  'SLAVEOF',
  'MONITOR',
  'FAILOVER',
  'CLIENT KILL',
  'CLIENT PAUSE',
  'CLIENT UNPAUSE',
  'CLIENT UNBLOCK',
  'SCRIPT KILL',
  'FUNCTION KILL',
  'FUNCTION DELETE',
  'FUNCTION FLUSH',
  'FUNCTION RESTORE',
  'MIGRATE',
  'CLUSTER RESET',
  'CLUSTER FAILOVER',
  'CLUSTER FORGET',
  'CLUSTER MEET',
]

const BLOCKING = new Set([
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

/** Refused always, whatever the allow-list says, with the reason. */
const NEVER: ReadonlyMap<string, string> = new Map([
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
])

/** CLIENT subcommands that only read; the rest change the connection or the server. */
const CLIENT_READS = new Set(['ID', 'INFO', 'LIST', 'GETNAME', 'GETREDIR', 'TRACKINGINFO', 'HELP'])

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

const isRead = (name: string, sub: string): boolean => {
  if (READ_COMMANDS.has(name)) return true
  if (name === 'CLIENT') return CLIENT_READS.has(sub)
  if (name === 'SCRIPT' || name === 'FUNCTION') return sub === 'EXISTS' || sub === 'LIST' || sub === 'DUMP'
  if (name === 'OBJECT' || name === 'MEMORY' || name === 'XINFO' || name === 'COMMAND')
    return sub !== 'DOCTOR'
  return false
}
