/**
 * The Valkey ACL rules of the bridge's two users, built from the same lists as the bridge's own
 * check (policy.ts), so Valkey refuses inside a script or function exactly what the bridge
 * refuses at the door: `EVAL "return redis.call('FLUSHALL')" 0` fails with "no permissions to
 * run the 'flushall' command" however the command reaches Valkey.
 * Syntax: https://valkey.io/topics/acl/ (Valkey 8: `+@all`, `-cmd`, `-cmd|sub`, `#<sha256>`).
 */
import { BRIDGE_OWN, CLIENT_READS, DANGEROUS_COMMANDS, NEVER, READ_SUBCOMMANDS } from './policy.ts'
import { READ_COMMANDS } from './read-commands.ts'

/** Which token class a Valkey user serves. */
export type AccessClass = 'full' | 'read-only'

export interface AclRuleOptions {
  /** The bridge's `--allow-command` entries. */
  allow?: readonly string[]
  /** The upstream URL selects a database other than 0, so the connection setup sends SELECT. */
  select?: boolean
  /** The upstream is a cluster: the client reads the slot map and follows ASK redirects. */
  cluster?: boolean
}

/** The default user names; `--acl-full-user` / `--acl-read-only-user` change them. */
export const DEFAULT_ACL_USERS: Readonly<Record<AccessClass, string>> = {
  full: 'floodgate-full',
  'read-only': 'floodgate-ro',
}

/** Commands ACL cannot refuse (Valkey runs them before authentication, or for any user): nothing to mirror. */
const NO_AUTH = new Set(['AUTH', 'HELLO', 'QUIT', 'RESET'])

const acl = (entry: string): string => entry.toLowerCase().replace(' ', '|')

const normalise = (entry: string): string =>
  entry
    .trim()
    .toUpperCase()
    .replace(/[\s|]+/g, ' ')

/**
 * The rules after `ACL SETUSER <name>`: everything the token class may run, and nothing else,
 * on every key and channel. Keys, channels, selectors and commands are reset first, so rules
 * left by an older version never linger; passwords are aclSetUser's business.
 *
 * @example
 * aclRules('read-only') // ['on', 'resetkeys', '~*', 'resetchannels', '&*', 'clearselectors', '-@all', '+get', ...]
 */
export const aclRules = (access: AccessClass, options: AclRuleOptions = {}): string[] => {
  const allowed = new Set((options.allow ?? []).map(normalise))
  const rules = ['on', 'resetkeys', '~*', 'resetchannels', '&*', 'clearselectors']
  if (access === 'full') {
    rules.push('+@all')
    for (const entry of NEVER.keys()) if (!NO_AUTH.has(entry)) rules.push(`-${acl(entry)}`)
    // CLIENT: the reading subcommands, and the allow-listed dangerous ones (CLIENT KILL, ...).
    rules.push('-client', ...[...CLIENT_READS].map((sub) => `+client|${sub.toLowerCase()}`))
    for (const entry of DANGEROUS_COMMANDS) {
      const isAllowed = allowed.has(entry) || allowed.has(entry.split(' ')[0]!)
      if (entry.startsWith('CLIENT ')) {
        if (isAllowed) rules.push(`+${acl(entry)}`)
      } else if (!isAllowed) {
        rules.push(`-${acl(entry)}`)
      }
    }
  } else {
    rules.push('-@all', ...[...READ_COMMANDS].map((name) => `+${name.toLowerCase()}`))
    for (const [name, subs] of READ_SUBCOMMANDS) {
      for (const sub of subs) rules.push(`+${name.toLowerCase()}|${sub.toLowerCase()}`)
    }
    if (options.cluster) rules.push('+asking', '+cluster|shards', '+cluster|slots')
  }
  // The bridge's own commands come last, after any rule that refused them.
  rules.push(...BRIDGE_OWN.map((name) => `+${name.toLowerCase()}`))
  if (options.select) rules.push('+select')
  return rules
}

/**
 * The `ACL SETUSER` command for one user. `secret` is the password's SHA-256 in hex (so the
 * password itself never travels or shows in a log), or a placeholder to print. With `only`, that
 * password replaces every other (`resetpass`); without, it is added, so several bridges with
 * generated passwords can share one Valkey without logging each other out.
 *
 * @example
 * aclSetUser('floodgate-ro', { sha256: 'ab12...' }, aclRules('read-only'), true)
 * // ['ACL', 'SETUSER', 'floodgate-ro', 'resetpass', '#ab12...', 'on', 'resetkeys', ...]
 */
export const aclSetUser = (
  user: string,
  secret: { sha256: string } | { placeholder: string },
  rules: readonly string[],
  only = true,
): string[] => {
  const password = 'sha256' in secret ? `#${secret.sha256}` : `>${secret.placeholder}`
  return ['ACL', 'SETUSER', user, ...(only ? ['resetpass'] : []), password, ...rules]
}

/** SHA-256 of a password in lowercase hex, as ACL's `#<hash>` rule takes it. */
export const sha256Hex = async (text: string): Promise<string> => {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('')
}
