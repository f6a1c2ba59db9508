/**
 * Sorted-set commands: ZADD with NX/XX/GT/LT/CH/INCR, ZINCRBY, ZREM, ZSCORE, ZCARD, ZCOUNT,
 * ZRANGE (by rank or BYSCORE, REV, LIMIT, WITHSCORES), ZRANGEBYSCORE, ZREMRANGEBYSCORE.
 */
import { ReplyError } from '../../errors.ts'
import type { Arg } from '../types.ts'
import { str } from './bytes.ts'
import { type CommandTable, command, removeMembers, word } from './command.ts'
import type { Keyspace } from './keyspace.ts'
import { doubleArg, formatDouble, parseDouble, smallIntegerArg } from './numbers.ts'
import type { Out } from './reply.ts'
import { syntaxError } from './reply.ts'
import { SortedSet } from './sorted-set.ts'

const zset = (db: Keyspace, key: string): SortedSet | undefined => db.typed(key, 'zset')?.value

const writable = (db: Keyspace, key: string): SortedSet => {
  const existing = zset(db, key)
  if (existing !== undefined) return existing
  const value = new SortedSet()
  db.set(key, { type: 'zset', value, expiresAt: Infinity })
  return value
}

const notANumber = (): ReplyError => new ReplyError('ERR resulting score is not a number (NaN)')

const zadd = (db: Keyspace, a: readonly Arg[]): Out => {
  const flags = new Set<string>()
  let i = 2
  for (; i < a.length; i++) {
    const flag = word(a[i])
    if (!['NX', 'XX', 'CH', 'INCR', 'GT', 'LT'].includes(flag)) break
    flags.add(flag)
  }
  const pairs = a.length - i
  if (pairs === 0 || pairs % 2 !== 0) throw syntaxError()
  const [nx, xx, gt, lt, incr] = ['NX', 'XX', 'GT', 'LT', 'INCR'].map((f) => flags.has(f)) as boolean[]
  if (nx && xx) throw new ReplyError('ERR XX and NX options at the same time are not compatible')
  if ((gt && nx) || (lt && nx) || (gt && lt)) {
    throw new ReplyError('ERR GT, LT, and/or NX options at the same time are not compatible')
  }
  if (incr && pairs > 2) throw new ReplyError('ERR INCR option supports a single increment-element pair')
  const scores: number[] = []
  for (let k = i; k < a.length; k += 2) scores.push(doubleArg(str(a[k])))
  const key = str(a[1])
  const existing = zset(db, key)
  if (existing === undefined && xx) return incr ? null : 0
  const set = existing ?? writable(db, key)
  let added = 0
  let changed = 0
  let result: number | null = null
  for (let k = 0; k < scores.length; k++) {
    const member = str(a[i + 2 * k + 1])
    let score = scores[k]!
    const current = set.scores.get(member)
    if (current === undefined) {
      if (xx) continue
      set.set(member, score)
      added++
      result = score
      continue
    }
    if (nx) continue
    if (incr) {
      score += current
      if (Number.isNaN(score)) throw notANumber()
    }
    if ((lt && score >= current) || (gt && score <= current)) continue
    result = score
    if (score !== current) {
      set.set(member, score)
      changed++
    }
  }
  if (incr) return result === null ? null : formatDouble(result)
  return flags.has('CH') ? added + changed : added
}

/** A ZRANGEBYSCORE bound: `(` makes it exclusive; `-inf`/`+inf` are the ends. */
const bound = (arg: Arg | undefined): { value: number; exclusive: boolean } => {
  const s = str(arg)
  const exclusive = s.startsWith('(')
  const value = parseDouble(exclusive ? s.slice(1) : s)
  if (value === undefined) throw new ReplyError('ERR min or max is not a float')
  return { value, exclusive }
}

/** The ranks [start, end) of the members whose scores lie between `min` and `max`. */
const scoreRange = (set: SortedSet, minArg: Arg | undefined, maxArg: Arg | undefined): [number, number] => {
  const min = bound(minArg)
  const max = bound(maxArg)
  const start = set.rankOf(min.value, !min.exclusive)
  const end = set.rankOf(max.value, max.exclusive)
  return [start, Math.max(start, end)]
}

const withScores = (set: SortedSet, members: string[], scores: boolean): Out[] => {
  if (!scores) return members
  const out: Out[] = []
  for (const member of members) out.push(member, formatDouble(set.scores.get(member)!))
  return out
}

/** ZRANGE and ZRANGEBYSCORE: `byScore` is fixed for the latter, an option for the former. */
const zrange = (db: Keyspace, a: readonly Arg[], byScoreCommand: boolean): Out => {
  let scores = false
  let byScore = byScoreCommand
  let rev = false
  let limit: [number, number] | undefined
  for (let i = 4; i < a.length; i++) {
    const option = word(a[i])
    if (option === 'WITHSCORES') scores = true
    else if (option === 'LIMIT' && i + 2 < a.length) {
      limit = [smallIntegerArg(str(a[i + 1])), smallIntegerArg(str(a[i + 2]))]
      i += 2
    } else if (!byScoreCommand && option === 'BYSCORE') byScore = true
    else if (!byScoreCommand && option === 'REV') rev = true
    else throw syntaxError()
  }
  if (limit && !byScore) {
    throw new ReplyError(
      'ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX',
    )
  }
  if (!byScore) {
    let start = smallIntegerArg(str(a[2]))
    let stop = smallIntegerArg(str(a[3]))
    const set = zset(db, str(a[1]))
    if (set === undefined) return []
    const size = set.size
    if (start < 0) start += size
    if (stop < 0) stop += size
    if (start < 0) start = 0
    if (start > stop || start >= size) return []
    if (stop >= size) stop = size - 1
    const members = rev ? set.slice(size - 1 - stop, size - 1 - start).reverse() : set.slice(start, stop)
    return withScores(set, members, scores)
  }
  const [minArg, maxArg] = rev ? [a[3], a[2]] : [a[2], a[3]]
  bound(minArg)
  bound(maxArg)
  const set = zset(db, str(a[1]))
  if (set === undefined) return []
  const [start, end] = scoreRange(set, minArg, maxArg)
  let members = set.slice(start, end - 1)
  if (rev) members.reverse()
  if (limit) {
    const [offset, count] = limit
    if (offset < 0) return []
    members = members.slice(offset, count < 0 ? undefined : offset + count)
  }
  return withScores(set, members, scores)
}

export const sortedSetCommands: CommandTable = {
  ZADD: command(-4, zadd),
  ZINCRBY: command(4, (db, a) => {
    const by = doubleArg(str(a[2]))
    const set = writable(db, str(a[1]))
    const member = str(a[3])
    const score = (set.scores.get(member) ?? 0) + by
    if (Number.isNaN(score)) throw notANumber()
    set.set(member, score)
    return formatDouble(score)
  }),
  ZREM: command(-3, (db, a) => {
    const key = str(a[1])
    return removeMembers(db, key, zset(db, key), a)
  }),
  ZSCORE: command(3, (db, a) => {
    const score = zset(db, str(a[1]))?.scores.get(str(a[2]))
    return score === undefined ? null : formatDouble(score)
  }),
  ZCARD: command(2, (db, a) => zset(db, str(a[1]))?.size ?? 0),
  ZCOUNT: command(4, (db, a) => {
    bound(a[2])
    bound(a[3])
    const set = zset(db, str(a[1]))
    if (set === undefined) return 0
    const [start, end] = scoreRange(set, a[2], a[3])
    return end - start
  }),
  ZRANGE: command(-4, (db, a) => zrange(db, a, false)),
  ZRANGEBYSCORE: command(-4, (db, a) => zrange(db, a, true)),
  ZREMRANGEBYSCORE: command(4, (db, a) => {
    bound(a[2])
    bound(a[3])
    const key = str(a[1])
    const set = zset(db, key)
    if (set === undefined) return 0
    const [start, end] = scoreRange(set, a[2], a[3])
    const n = set.deleteRange(start, end)
    if (set.size === 0) db.delete(key)
    return n
  }),
}
