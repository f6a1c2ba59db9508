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

/** A command's option word, upper-cased for matching (`'ex'` -> `'EX'`). */
export const word = (arg: Arg | undefined): string => str(arg).toUpperCase()

/** An entry's remaining time to live in ms, `-1` when it has none (for TTL, PTTL and friends). */
export const remaining = (expiresAt: number, now: number): number =>
  expiresAt === Infinity ? -1 : Math.max(0, expiresAt - now)
