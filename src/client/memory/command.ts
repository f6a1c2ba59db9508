/**
 * The shape every memory-backend command has: its arity, counted as Valkey counts it (the command
 * name included; negative means "at least"), and a synchronous handler over the keyspace.
 */
import type { Arg } from '../types.ts'
import { str } from './bytes.ts'
import type { Keyspace } from './keyspace.ts'
import type { Out } from './reply.ts'

export type Handler = (db: Keyspace, args: readonly Arg[]) => Out

export interface CommandSpec {
  readonly arity: number
  readonly run: Handler
}

export type CommandTable = Readonly<Record<string, CommandSpec>>

export const command = (arity: number, run: Handler): CommandSpec => ({ arity, run })

const WORDS = new Map<unknown, string>()
for (const w of ['NX', 'XX', 'GT', 'LT', 'CH', 'GET', 'KEEPTTL', 'EX', 'PX', 'EXAT', 'PXAT', 'PERSIST']) {
  for (const spelling of [w, w.toLowerCase()]) WORDS.set(spelling, w)
}
for (const w of ['INCR', 'WITHSCORES', 'LIMIT', 'BYSCORE', 'REV', 'ASYNC', 'SYNC']) WORDS.set(w, w)

/** A command's option word, upper-cased for matching (`'ex'` -> `'EX'`); common spellings allocate nothing. */
export const word = (arg: Arg | undefined): string => WORDS.get(arg) ?? str(arg).toUpperCase()

/** An entry's remaining time to live in ms, `-1` when it has none (for TTL, PTTL and friends). */
export const remaining = (expiresAt: number, now: number): number =>
  expiresAt === Infinity ? -1 : Math.max(0, expiresAt - now)

/** HDEL, SREM, ZREM: deletes the members `args[2..]` from `collection`, and its key once empty. */
export const removeMembers = (
  db: Keyspace,
  key: string,
  collection: { delete(member: string): boolean; readonly size: number } | undefined,
  args: readonly Arg[],
): number => {
  if (collection === undefined) return 0
  let n = 0
  for (let i = 2; i < args.length; i++) if (collection.delete(str(args[i]))) n++
  if (collection.size === 0) db.delete(key)
  return n
}
