/** Key commands: DEL, EXISTS, the EXPIRE family with NX/XX/GT/LT, TTL, PERSIST, TYPE. */
import { ReplyError } from '../../errors.ts'
import type { Arg } from '../types.ts'
import { str } from './bytes.ts'
import { type CommandTable, command, remaining, word } from './command.ts'
import type { Keyspace } from './keyspace.ts'
import { smallIntegerArg } from './numbers.ts'
import { invalidExpire, type Out, Status } from './reply.ts'

const LIMIT = 2 ** 63

/** EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT: `unit` is 1000 for seconds, `relative` adds now. */
const expire =
  (name: string, unit: number, relative: boolean) =>
  (db: Keyspace, args: readonly Arg[]): Out => {
    let nx = false
    let xx = false
    let gt = false
    let lt = false
    for (let i = 3; i < args.length; i++) {
      const option = word(args[i])
      if (option === 'NX') nx = true
      else if (option === 'XX') xx = true
      else if (option === 'GT') gt = true
      else if (option === 'LT') lt = true
      else throw new ReplyError(`ERR Unsupported option ${str(args[i])}`)
    }
    if (nx && (xx || gt || lt)) {
      throw new ReplyError('ERR NX and XX, GT or LT options at the same time are not compatible')
    }
    if (gt && lt) throw new ReplyError('ERR GT and LT options at the same time are not compatible')
    const arg = args[2]
    let when = typeof arg === 'number' && Number.isSafeInteger(arg) ? arg : smallIntegerArg(str(arg))
    if (Math.abs(when) > LIMIT / unit) throw invalidExpire(name)
    when *= unit
    const now = db.now()
    if (relative) {
      if (when > LIMIT - now) throw invalidExpire(name)
      when += now
    }
    const key = str(args[1])
    const entry = db.get(key)
    if (entry === undefined) return 0
    const current = entry.expiresAt
    if (nx && current !== Infinity) return 0
    if (xx && current === Infinity) return 0
    // GT treats "no TTL" as infinite, so it never wins against it; LT always does.
    if (gt && when <= current) return 0
    if (lt && current !== Infinity && when >= current) return 0
    if (when <= now) db.delete(key)
    else entry.expiresAt = when
    return 1
  }

const TYPES = new Map(['string', 'hash', 'set', 'zset', 'none'].map((type) => [type, new Status(type)]))

const count = (db: Keyspace, args: readonly Arg[], remove: boolean): number => {
  let n = 0
  for (let i = 1; i < args.length; i++) {
    const key = str(args[i])
    if (db.get(key) !== undefined) {
      n++
      if (remove) db.delete(key)
    }
  }
  return n
}

const ttl = (db: Keyspace, args: readonly Arg[], unit: number): number => {
  const entry = db.get(str(args[1]))
  if (entry === undefined) return -2
  const ms = remaining(entry.expiresAt, db.now())
  return ms === -1 || unit === 1 ? ms : Math.floor((ms + 500) / 1000)
}

const expireTime = (db: Keyspace, args: readonly Arg[], unit: number): number => {
  const entry = db.get(str(args[1]))
  if (entry === undefined) return -2
  const at = entry.expiresAt
  return at === Infinity ? -1 : unit === 1 ? at : Math.floor((at + 500) / 1000)
}

export const keyCommands: CommandTable = {
  DEL: command(-2, (db, a) => count(db, a, true)),
  UNLINK: command(-2, (db, a) => count(db, a, true)),
  EXISTS: command(-2, (db, a) => count(db, a, false)),
  EXPIRE: command(-3, expire('expire', 1000, true)),
  PEXPIRE: command(-3, expire('pexpire', 1, true)),
  EXPIREAT: command(-3, expire('expireat', 1000, false)),
  PEXPIREAT: command(-3, expire('pexpireat', 1, false)),
  TTL: command(2, (db, a) => ttl(db, a, 1000)),
  PTTL: command(2, (db, a) => ttl(db, a, 1)),
  EXPIRETIME: command(2, (db, a) => expireTime(db, a, 1000)),
  PEXPIRETIME: command(2, (db, a) => expireTime(db, a, 1)),
  PERSIST: command(2, (db, a) => {
    const entry = db.get(str(a[1]))
    if (entry === undefined || entry.expiresAt === Infinity) return 0
    entry.expiresAt = Infinity
    return 1
  }),
  TYPE: command(2, (db, a) => TYPES.get(db.get(str(a[1]))?.type ?? 'none')!),
}
