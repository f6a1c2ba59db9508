/** String commands: GET/SET with every expiry option, counters, APPEND, STRLEN. */
import { ReplyError } from '../../errors.ts'
import type { Arg } from '../types.ts'
import { byteLength, canonical, str } from './bytes.ts'
import { type CommandTable, command, word } from './command.ts'
import { incrementFloat } from './float.ts'
import type { Entry, Keyspace, StringEntry } from './keyspace.ts'
import { addIntegers, integerArg, parseInteger, smallIntegerArg } from './numbers.ts'
import {
  integer,
  invalidExpire,
  notFloat,
  notInteger,
  OK,
  type Out,
  type Status,
  syntaxError,
  wrongArity,
  wrongType,
} from './reply.ts'

const asString = (value: StringEntry['value']): string =>
  typeof value === 'string' ? value : typeof value === 'number' ? String(value) : value.join(':')

/** GET: the string under `key` (canonical), or null; WRONGTYPE for another type. */
export const read = (db: Keyspace, key: string): string | null => {
  const entry = db.typed(key, 'string')
  return entry === undefined ? null : asString(entry.value)
}

/** GET for script twins: a list of integers as stored (see `writeIntegersWithTtl`), else the text. */
export const readIntegers = (db: Keyspace, key: string): readonly number[] | string | null => {
  const entry = db.typed(key, 'string')
  if (entry === undefined) return null
  const value = entry.value
  return typeof value === 'object' ? value : asString(value)
}

const store = (db: Keyspace, key: string, value: StringEntry['value'], expiresAt = Infinity): void => {
  db.set(key, { type: 'string', value, expiresAt })
}

const LIMIT = 2 ** 63

/**
 * The absolute expiry (epoch ms) an EX/PX/EXAT/PXAT option asks for. Zero or negative, or past
 * int64 once converted, is `ERR invalid expire time in '<command>' command`, as in Valkey.
 */
export const expiryOption = (db: Keyspace, option: string, arg: Arg | undefined, name: string): number => {
  const n = typeof arg === 'number' && Number.isSafeInteger(arg) ? arg : smallIntegerArg(str(arg))
  if (n <= 0) throw invalidExpire(name)
  const seconds = option === 'EX' || option === 'EXAT'
  if (seconds && n > LIMIT / 1000) throw invalidExpire(name)
  const ms = seconds ? n * 1000 : n
  const at = option === 'EX' || option === 'PX' ? ms + db.now() : ms
  if (at >= LIMIT) throw invalidExpire(name)
  return at
}

const EXPIRY = new Set(['EX', 'PX', 'EXAT', 'PXAT'])

/** A value as stored: a safe integer stays a number (INCR then needs no parsing), else a string. */
const storable = (arg: Arg | undefined): string | number =>
  typeof arg === 'number' && Number.isSafeInteger(arg) && !Object.is(arg, -0) ? arg : str(arg)

/**
 * Writes `value` under `key`, whose current entry is `old`. A string entry is overwritten in place:
 * no allocation on the hot path of limiter and session twins.
 */
const put = (
  db: Keyspace,
  key: string,
  old: Entry | undefined,
  value: StringEntry['value'],
  expiresAt: number,
) => {
  if (old?.type === 'string') {
    old.value = value
    old.expiresAt = expiresAt
  } else store(db, key, value, expiresAt)
}

/** SET key value PX ttl, for script twins: the same outcome as the command, with no option parsing. */
export const writeWithTtl = (db: Keyspace, key: string, value: string | number, ttl: number): void => {
  if (!Number.isSafeInteger(ttl) || ttl <= 0) throw invalidExpire('set')
  put(db, key, db.get(key), storable(value), db.now() + ttl)
}

/**
 * `writeWithTtl` of `integers.join(':')`, kept as the integers: a limiter twin's state is written on
 * every decision and read back on the next one, and printing and parsing it each time was a large
 * share of the memory backend's time per decision. Commands read the text (`asString`).
 *
 * The entry owns its array: the integers are copied in, into the array already there when it has
 * as many. A state lives for thousands of decisions, long enough for the garbage collector to move
 * it to the old generation, where a new array per write made work for every major collection
 * (8–14% more decisions per CPU-second with the copy, in alternating runs).
 */
export const writeIntegersWithTtl = (
  db: Keyspace,
  key: string,
  integers: readonly number[],
  ttl: number,
): void => {
  if (!Number.isSafeInteger(ttl) || ttl <= 0) throw invalidExpire('set')
  for (let i = 0; i < integers.length; i++) {
    if (!Number.isSafeInteger(integers[i])) {
      throw new TypeError(`setIntegersPx takes safe integers, received ${String(integers[i])}`)
    }
  }
  const old = db.get(key)
  if (old?.type === 'string' && typeof old.value === 'object' && old.value.length === integers.length) {
    const kept = old.value as number[]
    for (let i = 0; i < integers.length; i++) kept[i] = integers[i]!
    old.expiresAt = db.now() + ttl
  } else put(db, key, old, integers.slice(), db.now() + ttl)
}

const set = (db: Keyspace, args: readonly Arg[]): Out => {
  const key = str(args[1])
  let condition = ''
  let get = false
  let keepTtl = false
  let expiry = ''
  let expiryArg: Arg | undefined
  for (let i = 3; i < args.length; i++) {
    const option = word(args[i])
    if ((option === 'NX' || option === 'XX') && condition === '') condition = option
    else if (option === 'GET' && !get) get = true
    else if (option === 'KEEPTTL' && !keepTtl && expiry === '') keepTtl = true
    else if (EXPIRY.has(option) && expiry === '' && !keepTtl && i + 1 < args.length) {
      expiry = option
      expiryArg = args[++i]
    } else throw syntaxError()
  }
  const expiresAt = expiry === '' ? Infinity : expiryOption(db, expiry, expiryArg, 'set')
  const old = db.get(key)
  let reply: Out = OK
  if (get) {
    if (old !== undefined && old.type !== 'string') throw wrongType()
    reply = old === undefined ? null : asString((old as StringEntry).value)
  }
  if ((condition === 'NX' && old !== undefined) || (condition === 'XX' && old === undefined)) {
    return get ? reply : null
  }
  const value = storable(args[2])
  // EXAT/PXAT may name a past instant: the key is then written and gone at once, as in Valkey.
  const past = (expiry === 'EXAT' || expiry === 'PXAT') && expiresAt <= db.now()
  if (past) db.delete(key)
  else put(db, key, old, value, keepTtl && old !== undefined ? old.expiresAt : expiresAt)
  return reply
}

const getex = (db: Keyspace, args: readonly Arg[]): Out => {
  const key = str(args[1])
  const option = args.length > 2 ? word(args[2]) : ''
  const persist = option === 'PERSIST' && args.length === 3
  if (args.length > 2 && !persist && !(EXPIRY.has(option) && args.length === 4)) throw syntaxError()
  const entry = db.typed(key, 'string')
  if (entry === undefined) return null
  // Valkey checks the expiry only once it has found the key.
  const expiresAt = persist
    ? Infinity
    : option === ''
      ? undefined
      : expiryOption(db, option, args[3], 'getex')
  const value = asString(entry.value)
  if (expiresAt !== undefined) {
    if (expiresAt <= db.now()) db.delete(key)
    else entry.expiresAt = expiresAt
  }
  return value
}

/** INCRBY and friends: the stored integer plus `by`, keeping the key's TTL. */
const increment = (db: Keyspace, key: string, by: number | bigint): number | Status => {
  const entry = db.typed(key, 'string')
  if (entry === undefined) {
    const value = addIntegers(0, by)
    store(db, key, value)
    return integer(value)
  }
  const current = typeof entry.value === 'number' ? entry.value : parseInteger(asString(entry.value))
  if (current === undefined) throw notInteger()
  const value = addIntegers(current, by)
  entry.value = value
  return typeof value === 'number' ? value : integer(value)
}

const negate = (n: number | bigint): number | bigint => {
  if (n === -(2n ** 63n)) throw new ReplyError('ERR decrement would overflow')
  return typeof n === 'number' ? -n : -n
}

export const stringCommands: CommandTable = {
  GET: command(2, (db, a) => read(db, str(a[1]))),
  SET: command(-3, set),
  GETEX: command(-2, getex),
  GETDEL: command(2, (db, a) => {
    const key = str(a[1])
    const value = read(db, key)
    if (value !== null) db.delete(key)
    return value
  }),
  MGET: command(-2, (db, a) => {
    const out: Out[] = []
    for (let i = 1; i < a.length; i++) {
      const entry = db.get(str(a[i]))
      out.push(entry?.type === 'string' ? asString(entry.value) : null)
    }
    return out
  }),
  MSET: command(-3, (db, a) => {
    if (a.length % 2 === 0) throw wrongArity('mset')
    for (let i = 1; i < a.length; i += 2) store(db, str(a[i]), storable(a[i + 1]))
    return OK
  }),
  SETNX: command(3, (db, a) => {
    const key = str(a[1])
    if (db.get(key) !== undefined) return 0
    store(db, key, storable(a[2]))
    return 1
  }),
  INCR: command(2, (db, a) => increment(db, str(a[1]), 1)),
  DECR: command(2, (db, a) => increment(db, str(a[1]), -1)),
  INCRBY: command(3, (db, a) =>
    increment(
      db,
      str(a[1]),
      typeof a[2] === 'number' && Number.isSafeInteger(a[2]) ? a[2] : integerArg(str(a[2])),
    ),
  ),
  DECRBY: command(3, (db, a) => increment(db, str(a[1]), negate(integerArg(str(a[2]))))),
  INCRBYFLOAT: command(3, (db, a) => {
    const key = str(a[1])
    const by = str(a[2])
    const entry = db.typed(key, 'string')
    const value = incrementFloat(entry === undefined ? '0' : asString(entry.value), by, notFloat)
    if (entry === undefined) store(db, key, value)
    else entry.value = value
    return value
  }),
  APPEND: command(3, (db, a) => {
    const key = str(a[1])
    const entry = db.typed(key, 'string')
    const value = entry === undefined ? str(a[2]) : canonical(asString(entry.value) + str(a[2]))
    if (entry === undefined) store(db, key, value)
    else entry.value = value
    return byteLength(value)
  }),
  STRLEN: command(2, (db, a) => {
    const value = read(db, str(a[1]))
    return value === null ? 0 : byteLength(value)
  }),
}
