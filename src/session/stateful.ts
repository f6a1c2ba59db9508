/**
 * Stateful sessions: a random 256-bit id in the cookie, the data in Valkey under the SHA-256 of
 * that id (a leaked key dump yields no usable cookie). Loading is HGETALL + PTTL sent in one tick
 * and saving is one script call; when the user index changes too, its script goes out in the same
 * tick, so the transport pipelines them into one round trip. Keys are hash-tagged (`{...}`) and each script
 * touches one key, so everything runs unchanged on a Valkey Cluster.
 */
import type { Arg, Client, Reply } from '../client/types.ts'
import { base64url } from './keys.ts'
import {
  ABSOLUTE_FIELD,
  createSession,
  DATA_PREFIX,
  indexSession,
  RETIRED_FIELD,
  retireSession,
  takeSessions,
  updateSession,
} from './scripts.ts'
import { sha256 } from './sha256.ts'
import type { Fields, Loaded, Store } from './store.ts'

export interface StatefulConfig {
  readonly client: Client
  readonly prefix: string
  readonly userKey: string | undefined
  readonly idle: number
  readonly absolute: number
  readonly now: () => number
}

const ID = /^[A-Za-z0-9_-]{43}$/
/** How long a replaced id is remembered as such (ms): longer than any request racing the change. */
const RETIRED_GRACE = 60_000
const encoder = new TextEncoder()

const newId = (): string => base64url(crypto.getRandomValues(new Uint8Array(32)))
const hashId = (id: string): string => base64url(sha256(encoder.encode(id)))

const pairs = (fields: Fields): string[] => {
  const out: string[] = []
  for (const [name, json] of fields) out.push(DATA_PREFIX + name, json)
  return out
}

/**
 * @example
 * const store = statefulStore({ client, prefix: 'fg:sess:', userKey: 'userId', idle, absolute, now: Date.now })
 */
export const statefulStore = (config: StatefulConfig): Store => {
  const { client, prefix, userKey, idle, absolute, now } = config
  const sessionKey = (hash: string) => `${prefix}{${hash}}`
  const userIndex = (userId: string) => `${prefix}user:{${userId}}`
  /** Set by `destroyAll` (in the index's hash slot): a move out of a taken index is refused. */
  const userRevoked = (userId: string) => `${userIndex(userId)}:revoked`

  /** The user id a session's data names, if `userKey` is set and holds a string or number. */
  const userOf = (fields: Fields | undefined): string | undefined => {
    const json = userKey === undefined ? undefined : fields?.get(userKey)
    if (json === undefined) return undefined
    const value: unknown = JSON.parse(json)
    return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined
  }

  /** Index writes for a session moving from `before` to `after`: one script per user touched. */
  const reindex = (
    at: number,
    before?: [string | undefined, string],
    after?: [string | undefined, string, number],
  ) => {
    const calls: Promise<Reply>[] = []
    const [oldUser, oldRef] = before ?? [undefined, '']
    const [newUser, newRef, score] = after ?? [undefined, '', 0]
    if (oldUser !== undefined && oldUser === newUser && oldRef === newRef) return calls
    if (oldUser !== undefined && oldUser !== newUser) {
      calls.push(client.eval(indexSession, [userIndex(oldUser)], [at, oldRef, '', 0]))
    }
    if (newUser !== undefined) {
      const remove = oldUser === newUser ? oldRef : ''
      calls.push(client.eval(indexSession, [userIndex(newUser)], [at, remove, newRef, score]))
    }
    return calls
  }

  return {
    mode: 'stateful',
    async load(value) {
      if (!ID.test(value)) return 'malformed'
      const ref = hashId(value)
      const key = sessionKey(ref)
      // Two plain commands in one tick: one round trip, and no script to run on the server.
      const [flat, ttl] = (await Promise.all([
        client.send(['HGETALL', key]),
        client.send(['PTTL', key]),
      ])) as [string[], number]
      const fields: Fields = new Map()
      let absoluteAt: number | undefined
      let retired = false
      for (let i = 0; i + 1 < flat.length; i += 2) {
        const name = flat[i]!
        if (name.startsWith(DATA_PREFIX)) fields.set(name.slice(DATA_PREFIX.length), flat[i + 1]!)
        else if (name === ABSOLUTE_FIELD) absoluteAt = Number(flat[i + 1])
        else if (name === RETIRED_FIELD) retired = true
      }
      if (absoluteAt === undefined || ttl < 0) return retired ? 'replaced' : 'not-found'
      const left = absoluteAt - now()
      if (left <= 0) {
        // The key's TTL never passes the absolute end, so this is only a clock ahead of the others.
        await client.send(['DEL', key])
        return 'expired'
      }
      // Slid past half of the idle window: the commit moves the key's TTL and the cookie together.
      const slide = Math.min(idle, left)
      const refresh = ttl < idle / 2 && slide > ttl
      return { value, fields, absoluteAt, maxAge: Math.floor((refresh ? slide : ttl) / 1000), refresh, ref }
    },
    async create(fields, previous) {
      const at = now()
      const absoluteAt = at + absolute
      const ttl = Math.min(idle, absolute)
      const newUser = userOf(fields)
      let value: string
      let ref: string
      for (;;) {
        value = newId()
        ref = hashId(value)
        const calls = [client.eval(createSession, [sessionKey(ref)], [absoluteAt, ttl, ...pairs(fields)])]
        if (!previous) calls.push(...reindex(at, undefined, [newUser, ref, absoluteAt]))
        const [created] = await Promise.all(calls)
        // A clash of two random 256-bit ids does not happen; if it ever did, the other session is kept.
        if (created === 1) break
      }
      const loaded: Loaded = {
        value,
        fields,
        absoluteAt,
        maxAge: Math.floor(ttl / 1000),
        refresh: false,
        ref,
      }
      if (!previous) return loaded
      // A replacement goes live only if what it replaces still is. The new hash exists before the
      // index names it, so a `destroyAll` that takes the index after the move deletes it too; one
      // that took the index before is seen by the move, which refuses. Each script is on one key's
      // slot, so this holds on a cluster as on one server.
      const oldRef = previous.ref!
      const oldUser = userOf(previous.fields)
      const [retired, moved] = await Promise.all([
        client.eval(retireSession, [sessionKey(oldRef)], [RETIRED_GRACE]),
        oldUser === undefined
          ? 0
          : client.eval(
              indexSession,
              [userIndex(oldUser), userRevoked(oldUser)],
              oldUser === newUser ? [at, oldRef, ref, absoluteAt] : [at, oldRef, '', 0],
            ),
        ...(newUser !== undefined && newUser !== oldUser
          ? reindex(at, undefined, [newUser, ref, absoluteAt])
          : []),
      ])
      if (retired === 1 && moved !== -1) return loaded
      // Destroyed, expired or replaced meanwhile: the new session is removed, never handed out.
      await Promise.all([
        client.send(['DEL', sessionKey(ref)]),
        ...(newUser === undefined ? [] : reindex(at, [newUser, ref])),
      ])
      return undefined
    },
    async update(loaded, fields, set, deleted) {
      const at = now()
      const ref = loaded.ref!
      const args: Arg[] = [at, idle, set.size, ...pairs(set), ...deleted.map((name) => DATA_PREFIX + name)]
      const [ttl] = await Promise.all([
        client.eval(updateSession, [sessionKey(ref)], args),
        ...reindex(at, [userOf(loaded.fields), ref], [userOf(fields), ref, loaded.absoluteAt]),
      ])
      if (ttl === 0) return undefined
      return {
        value: loaded.value,
        fields,
        absoluteAt: loaded.absoluteAt,
        maxAge: Math.floor(Number(ttl) / 1000),
        refresh: false,
        ref,
      }
    },
    async touch(loaded) {
      // maxAge was set to the slid window on load; PEXPIRE answers 0 when the key is gone.
      const moved = await client.send(['PEXPIRE', sessionKey(loaded.ref!), loaded.maxAge * 1000])
      return moved === 1 ? { ...loaded, refresh: false } : undefined
    },
    async destroy(loaded) {
      await Promise.all([
        client.send(['DEL', sessionKey(loaded.ref!)]),
        ...reindex(now(), [userOf(loaded.fields), loaded.ref!]),
      ])
    },
    async destroyAll(userId) {
      if (userKey === undefined) {
        throw new TypeError('destroyAll needs the `userKey` option: the data field that holds the user id')
      }
      const refs = (await client.eval(
        takeSessions,
        [userIndex(userId), userRevoked(userId)],
        [now(), Math.max(absolute, RETIRED_GRACE)],
      )) as string[]
      if (refs.length === 0) return 0
      // One DEL per key: the sessions live in different hash slots on a cluster.
      const replies = await client.pipeline(refs.map((ref) => ['DEL', sessionKey(ref)]))
      return replies.filter((reply) => reply === 1).length
    },
  }
}
