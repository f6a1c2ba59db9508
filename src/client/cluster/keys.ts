/**
 * Which arguments of a command are keys, so the cluster client can route it to the slot's node.
 *
 * NOTE: a compact table covers the commands floodgate itself sends and the common data commands
 * (the bridge forwards whatever `@upstash/redis` sends). Anything else is asked of the server once
 * per command name with `COMMAND INFO` and cached; commands whose keys move with their arguments
 * (`movablekeys`, or container commands such as `OBJECT ENCODING`) are asked with `COMMAND GETKEYS`
 * per call. Fetching the whole `COMMAND` table at startup was rejected: it is ~100 KB per client,
 * and a Worker builds a client per request.
 */
import type { Arg, Command } from '../types.ts'

/** Where a command's keys sit. `last` counts from the end when negative, as in `COMMAND INFO`. */
export type KeySpec =
  | { kind: 'none' }
  | { kind: 'range'; first: number; last: number; step: number }
  /** `EVAL script numkeys key...`: the key count is the argument at `at`, the keys follow it. */
  | { kind: 'numkeys'; at: number }
  /** Only the server knows: ask `COMMAND GETKEYS` with the whole command. */
  | { kind: 'ask' }

export interface CommandSpec {
  keys: KeySpec
  /** True for commands that never write: they may be served by a replica. */
  readonly: boolean
}

const none: CommandSpec = { keys: { kind: 'none' }, readonly: false }
const spec = (first: number, last: number, step: number, readonly: boolean): CommandSpec => ({
  keys: { kind: 'range', first, last, step },
  readonly,
})

const table = new Map<string, CommandSpec>()
const add = (names: string, value: CommandSpec) => {
  for (const name of names.split(' ')) table.set(name, value)
}
add(
  'GET STRLEN GETRANGE TTL PTTL EXPIRETIME PEXPIRETIME TYPE HGET HMGET HGETALL HEXISTS HLEN HKEYS HVALS HSTRLEN ' +
    'HRANDFIELD HSCAN SMEMBERS SISMEMBER SMISMEMBER SCARD SRANDMEMBER SSCAN ZRANGE ZRANGEBYSCORE ZREVRANGE ' +
    'ZREVRANGEBYSCORE ZCARD ZSCORE ZMSCORE ZCOUNT ZRANK ZREVRANK ZSCAN LRANGE LLEN LINDEX LPOS XRANGE XREVRANGE ' +
    'XLEN GETBIT BITCOUNT BITPOS PFCOUNT DUMP',
  spec(1, 1, 1, true),
)
add('MGET EXISTS', spec(1, -1, 1, true))
add(
  'SET SETNX SETEX PSETEX GETSET GETDEL GETEX APPEND SETRANGE INCR INCRBY INCRBYFLOAT DECR DECRBY EXPIRE PEXPIRE ' +
    'EXPIREAT PEXPIREAT PERSIST HSET HSETNX HMSET HDEL HINCRBY HINCRBYFLOAT SADD SREM SPOP ZADD ZREM ZINCRBY ' +
    'ZREMRANGEBYSCORE ZREMRANGEBYRANK ZPOPMIN ZPOPMAX LPUSH RPUSH LPUSHX RPUSHX LPOP RPOP LSET LREM LTRIM LINSERT ' +
    'XADD XTRIM XDEL XACK XCLAIM XAUTOCLAIM SETBIT BITFIELD PFADD RESTORE',
  spec(1, 1, 1, false),
)
add('DEL UNLINK TOUCH', spec(1, -1, 1, false))
add('MSET MSETNX', spec(1, -1, 2, false))
add('RENAME RENAMENX LMOVE RPOPLPUSH SMOVE COPY', spec(1, 2, 1, false))
add('EVAL EVALSHA FCALL', { keys: { kind: 'numkeys', at: 2 }, readonly: false })
add('EVAL_RO EVALSHA_RO FCALL_RO', { keys: { kind: 'numkeys', at: 2 }, readonly: true })
add(
  'PING ECHO TIME INFO DBSIZE SCRIPT FUNCTION FLUSHALL FLUSHDB KEYS SCAN RANDOMKEY PUBLISH COMMAND CLUSTER ' +
    'READONLY READWRITE ASKING MULTI EXEC DISCARD HELLO AUTH SELECT CLIENT CONFIG WAIT LASTSAVE ROLE',
  none,
)

/** The spec for a command name (uppercase), when the table knows it. */
export const knownSpec = (name: string): CommandSpec | undefined => table.get(name)

/** The command's name in uppercase, e.g. `'EVALSHA'`. */
export const commandName = (command: Command): string => {
  const first = command[0]
  return (
    typeof first === 'string'
      ? first
      : first instanceof Uint8Array
        ? new TextDecoder().decode(first)
        : String(first)
  ).toUpperCase()
}

/**
 * The key arguments of `command` under `keys`, or `undefined` for `{ kind: 'ask' }` (the server
 * must be asked). Arguments missing from a malformed command are simply not there: the server will
 * answer the malformed command with its own error.
 */
export const keysOf = (command: Command, keys: KeySpec): Arg[] | undefined => {
  switch (keys.kind) {
    case 'none':
      return []
    case 'ask':
      return undefined
    case 'numkeys': {
      const count = Number(command[keys.at])
      if (!Number.isInteger(count) || count <= 0) return []
      return command.slice(keys.at + 1, keys.at + 1 + count)
    }
    case 'range': {
      const last = keys.last < 0 ? command.length + keys.last : keys.last
      const out: Arg[] = []
      for (let i = keys.first; i <= last && i < command.length; i += keys.step) out.push(command[i]!)
      return out
    }
  }
}

/**
 * Turns one `COMMAND INFO` entry (`[name, arity, flags, first, last, step, ...]`, or `null` for a
 * command the server does not know) into a spec.
 */
export const specFromInfo = (entry: unknown): CommandSpec => {
  if (!Array.isArray(entry)) return none
  const [, , flags, first, last, step, , , , subcommands] = entry as [
    unknown,
    unknown,
    unknown,
    unknown,
    unknown,
    unknown,
    unknown,
    unknown,
    unknown,
    unknown,
  ]
  const flagList = Array.isArray(flags) ? flags.map(String) : []
  const readonly = flagList.includes('readonly')
  const hasSubcommands = Array.isArray(subcommands) && subcommands.length > 0
  if (flagList.includes('movablekeys') || (first === 0 && hasSubcommands))
    return { keys: { kind: 'ask' }, readonly }
  if (typeof first !== 'number' || first <= 0) return { keys: { kind: 'none' }, readonly }
  return spec(first, Number(last), Math.max(1, Number(step)), readonly)
}
