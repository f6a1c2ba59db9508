/**
 * Set commands: SADD, SREM, SMEMBERS, SISMEMBER, SMISMEMBER, SCARD. SMEMBERS lists members in the
 * order Valkey does for small sets: numerically while every member is an integer (an intset),
 * else in insertion order (a listpack). Past those sizes Valkey's order is a hash table's, which
 * no caller may rely on.
 */
import { str } from './bytes.ts'
import { type CommandTable, command, removeMembers } from './command.ts'
import type { Keyspace, SetEntry } from './keyspace.ts'
import { parseInteger } from './numbers.ts'
import type { Out } from './reply.ts'

/** Valkey's set-max-intset-entries default. */
const INTSET_MAX = 512

const members = (db: Keyspace, key: string): SetEntry | undefined => db.typed(key, 'set')

const numeric = (a: string, b: string): number => {
  const x = parseInteger(a)!
  const y = parseInteger(b)!
  return x < y ? -1 : x > y ? 1 : 0
}

export const setCommands: CommandTable = {
  SADD: command(-3, (db, a) => {
    const key = str(a[1])
    let entry = members(db, key)
    if (entry === undefined) {
      entry = {
        type: 'set',
        value: new Set(),
        intset: parseInteger(str(a[2])) !== undefined,
        expiresAt: Infinity,
      }
      db.set(key, entry)
    }
    const set = entry.value
    const before = set.size
    for (let i = 2; i < a.length; i++) {
      const member = str(a[i])
      if (
        entry.intset &&
        (parseInteger(member) === undefined || set.size >= INTSET_MAX) &&
        !set.has(member)
      ) {
        // Valkey converts the intset in place, keeping its sorted order, then appends.
        entry.intset = false
        const sorted = [...set].sort(numeric)
        set.clear()
        for (const m of sorted) set.add(m)
      }
      set.add(member)
    }
    return set.size - before
  }),
  SREM: command(-3, (db, a) => {
    const key = str(a[1])
    return removeMembers(db, key, members(db, key)?.value, a)
  }),
  SMEMBERS: command(2, (db, a) => {
    const entry = members(db, str(a[1]))
    if (entry === undefined) return []
    const list: Out[] = [...entry.value]
    return entry.intset ? (list as string[]).sort(numeric) : list
  }),
  SISMEMBER: command(3, (db, a) => (members(db, str(a[1]))?.value.has(str(a[2])) ? 1 : 0)),
  SMISMEMBER: command(-3, (db, a) => {
    const set = members(db, str(a[1]))?.value
    const out: Out[] = []
    for (let i = 2; i < a.length; i++) out.push(set?.has(str(a[i])) ? 1 : 0)
    return out
  }),
  SCARD: command(2, (db, a) => members(db, str(a[1]))?.value.size ?? 0),
}
