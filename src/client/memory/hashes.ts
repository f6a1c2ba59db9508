/** Hash commands: HSET/HGET and friends, HINCRBY, HINCRBYFLOAT. Field order is insertion order. */
import { ReplyError } from '../../errors.ts'
import type { Arg } from '../types.ts'
import { str } from './bytes.ts'
import { type CommandTable, command, removeMembers } from './command.ts'
import { incrementFloat, parseLongDouble } from './float.ts'
import type { HashEntry, Keyspace } from './keyspace.ts'
import { addIntegers, integerArg, parseInteger } from './numbers.ts'
import { integer, notFloat, OK, type Out, wrongArity } from './reply.ts'

type Fields = Map<string, string | number>

const fields = (db: Keyspace, key: string): Fields | undefined => db.typed(key, 'hash')?.value

/** The hash under `key`, created empty (with no TTL) when absent. */
const writable = (db: Keyspace, key: string): Fields => {
  const existing = fields(db, key)
  if (existing !== undefined) return existing
  const entry: HashEntry = { type: 'hash', value: new Map(), expiresAt: Infinity }
  db.set(key, entry)
  return entry.value
}

const text = (value: string | number | undefined): string | null =>
  value === undefined ? null : typeof value === 'number' ? String(value) : value

const hset = (db: Keyspace, args: readonly Arg[], name: string): number => {
  if (args.length % 2 !== 0) throw wrongArity(name)
  const hash = writable(db, str(args[1]))
  const before = hash.size
  for (let i = 2; i < args.length; i += 2) hash.set(str(args[i]), str(args[i + 1]))
  return hash.size - before
}

const hashValueNotInteger = (): ReplyError => new ReplyError('ERR hash value is not an integer')
const hashValueNotFloat = (): ReplyError => new ReplyError('ERR hash value is not a float')

export const hashCommands: CommandTable = {
  HSET: command(-4, (db, a) => hset(db, a, 'hset')),
  HMSET: command(-4, (db, a) => {
    hset(db, a, 'hmset')
    return OK
  }),
  HSETNX: command(4, (db, a) => {
    const hash = writable(db, str(a[1]))
    const field = str(a[2])
    if (hash.has(field)) return 0
    hash.set(field, str(a[3]))
    return 1
  }),
  HGET: command(3, (db, a) => text(fields(db, str(a[1]))?.get(str(a[2])))),
  HMGET: command(-3, (db, a) => {
    const hash = fields(db, str(a[1]))
    const out: Out[] = []
    for (let i = 2; i < a.length; i++) out.push(text(hash?.get(str(a[i]))))
    return out
  }),
  HGETALL: command(2, (db, a) => {
    const out: Out[] = []
    for (const [field, value] of fields(db, str(a[1])) ?? []) out.push(field, text(value))
    return out
  }),
  HKEYS: command(2, (db, a) => [...(fields(db, str(a[1]))?.keys() ?? [])]),
  HVALS: command(2, (db, a) => [...(fields(db, str(a[1]))?.values() ?? [])].map(text)),
  HLEN: command(2, (db, a) => fields(db, str(a[1]))?.size ?? 0),
  HEXISTS: command(3, (db, a) => (fields(db, str(a[1]))?.has(str(a[2])) ? 1 : 0)),
  HDEL: command(-3, (db, a) => {
    const key = str(a[1])
    return removeMembers(db, key, fields(db, key), a)
  }),
  HINCRBY: command(4, (db, a) => {
    const by = typeof a[3] === 'number' && Number.isSafeInteger(a[3]) ? a[3] : integerArg(str(a[3]))
    const hash = writable(db, str(a[1]))
    const field = str(a[2])
    const old = hash.get(field) ?? 0
    const current = typeof old === 'number' ? old : parseInteger(old)
    if (current === undefined) throw hashValueNotInteger()
    const value = addIntegers(current, by)
    hash.set(field, value)
    return integer(value)
  }),
  HINCRBYFLOAT: command(4, (db, a) => {
    const by = str(a[3])
    const increment = parseLongDouble(by)
    if (increment === undefined) throw notFloat()
    if (typeof increment === 'number') throw new ReplyError('ERR value is NaN or Infinity')
    const hash = writable(db, str(a[1]))
    const field = str(a[2])
    const value = incrementFloat(text(hash.get(field)) ?? '0', by, hashValueNotFloat)
    hash.set(field, value)
    return value
  }),
}
