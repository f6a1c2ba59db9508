/**
 * The cache's commands against the Client, each bounded by a timeout, and its key layout.
 *
 * Keys: an entry is `{prefix:key}`, its lock `{prefix:key}:lock`, a tag's version `{prefix:tag:name}`.
 * The entry and its lock share a hash tag, so the one script that touches both (write the value,
 * free the lock) stays in one slot on a cluster. Tags live in slots of their own and are only ever
 * touched by single-key commands (GET on read, INCR on invalidation) sent as a pipeline, which the
 * cluster client splits by node: a read with tags is still one round trip per node, in parallel,
 * and no command spans slots. Hash-tagging entries with their tags instead would pin every tagged
 * entry to one slot, the hot-shard problem, so we chose independent keys and versions compared on
 * read.
 */

import { NOT_SETTLED, settledValue } from '../client/settled.ts'
import type { Client, Command, Reply, SendOptions } from '../client/types.ts'
import { ReplyError } from '../errors.ts'
import { type Guard, timeoutGuard } from '../limit/deadline.ts'
import { release, writeAndRelease } from './scripts.ts'

export interface Read {
  readonly text: string | null
  /** The current versions of the tags asked for (0 for a tag never invalidated). */
  readonly versions: Record<string, number> | undefined
}

const version = (reply: Reply | ReplyError | undefined): number => {
  if (reply instanceof ReplyError) throw reply
  return reply === null || reply === undefined ? 0 : Number(reply)
}

/** The versions of `tags`, read from `replies` starting at `from`. */
const versionsOf = (
  tags: readonly string[],
  replies: readonly (Reply | ReplyError | undefined)[],
  from: number,
): Record<string, number> => {
  const versions: Record<string, number> = {}
  tags.forEach((tag, i) => {
    versions[tag] = version(replies[i + from])
  })
  return versions
}

const text = (reply: Reply | ReplyError | undefined): string | null => {
  if (reply instanceof ReplyError) throw reply
  return typeof reply === 'string' ? reply : null
}

export class Store {
  readonly #client: Client
  readonly #prefix: string
  readonly #guards = new Map<number, Guard>()
  /** The client times a command out by its `{ timeout }` itself (TCP: a deadline queue per length). */
  readonly #timesOut: boolean
  readonly #sendOptions = new Map<number, SendOptions>()

  constructor(client: Client, prefix: string) {
    this.#client = client
    this.#prefix = prefix
    this.#timesOut = client.boundsTimeouts === true
  }

  entryKey(key: string): string {
    return `{${this.#prefix}:${key}}`
  }

  tagKey(tag: string): string {
    return `{${this.#prefix}:tag:${tag}}`
  }

  /**
   * The send options that bound a command by `ms` for a client that does so without a timer per
   * call (TCP: the same `{ timeout }` object each time, no wrapper promise); else `undefined`.
   */
  #options(ms: number): SendOptions | undefined {
    if (!this.#timesOut || !(ms > 0)) return undefined
    let options = this.#sendOptions.get(ms)
    if (options === undefined) {
      options = { timeout: ms }
      if (this.#sendOptions.size < 16) this.#sendOptions.set(ms, options)
    }
    return options
  }

  /**
   * `call`, or a `TimeoutError` after `ms`. One deadline queue per distinct timeout serves every
   * call; a reply the client already holds (an in-process backend) needs none, nor does a call
   * sent with `#options(ms)`, which the client times out itself.
   */
  #guard<T>(call: Promise<T>, ms: number): Promise<T> {
    if (this.#timesOut && ms > 0) return call
    if (settledValue(call) !== NOT_SETTLED) return call
    let guard = this.#guards.get(ms)
    if (guard === undefined) {
      guard = timeoutGuard(ms)
      this.#guards.set(ms, guard)
    }
    return guard(call)
  }

  /** `commands` as one pipeline, bounded by `ms`. */
  #pipeline(commands: Command[], ms: number): Promise<(Reply | ReplyError)[]> {
    return this.#guard(this.#client.pipeline(commands, this.#options(ms)), ms)
  }

  /** `commands` as one pipeline; rejects with the first error reply. */
  async #all(commands: Command[], ms: number): Promise<void> {
    for (const reply of await this.#pipeline(commands, ms)) if (reply instanceof ReplyError) throw reply
  }

  /**
   * The entry's GET, bounded by `ms`: the client's own promise (over TCP, which times it out
   * itself) or the guard's, with no wrapper in between (the hit path awaits it directly).
   */
  get(key: string, ms: number): Promise<Reply> {
    return this.#guard(this.#client.send(['GET', this.entryKey(key)], this.#options(ms)), ms)
  }

  /** The entry's text and, in the same round trip, the current versions of `tags`. */
  async read(key: string, tags: readonly string[] | undefined, ms: number): Promise<Read> {
    if (tags === undefined) {
      const reply = await this.get(key, ms)
      return { text: typeof reply === 'string' ? reply : null, versions: undefined }
    }
    const replies = await this.#pipeline(
      [['GET', this.entryKey(key)], ...tags.map((t) => ['GET', this.tagKey(t)])],
      ms,
    )
    return { text: text(replies[0]), versions: versionsOf(tags, replies, 1) }
  }

  async versions(tags: readonly string[], ms: number): Promise<Record<string, number>> {
    const replies = await this.#pipeline(
      tags.map((t) => ['GET', this.tagKey(t)]),
      ms,
    )
    return versionsOf(tags, replies, 0)
  }

  /** Takes the key's lock for `ttl` ms if it is free; also returns the entry as it is now. */
  async acquire(
    key: string,
    token: string,
    ttl: number,
    ms: number,
  ): Promise<{ got: boolean; text: string | null }> {
    const entry = this.entryKey(key)
    const [got, current] = await this.#pipeline(
      [
        ['SET', `${entry}:lock`, token, 'NX', 'PX', ttl],
        ['GET', entry],
      ],
      ms,
    )
    if (got instanceof ReplyError) throw got
    return { got: got === 'OK', text: text(current) }
  }

  /** The entry's text and whether its lock is still held. */
  async poll(key: string, ms: number): Promise<{ text: string | null; locked: boolean }> {
    const entry = this.entryKey(key)
    const [current, locked] = await this.#pipeline(
      [
        ['GET', entry],
        ['EXISTS', `${entry}:lock`],
      ],
      ms,
    )
    if (locked instanceof ReplyError) throw locked
    return { text: text(current), locked: locked === 1 }
  }

  /** Stores the entry and frees our lock in one round trip. */
  async writeAndRelease(
    key: string,
    token: string,
    entryText: string,
    px: number,
    ms: number,
  ): Promise<void> {
    const entry = this.entryKey(key)
    await this.#guard(
      this.#client.eval(writeAndRelease, [entry, `${entry}:lock`], [token, entryText, px], this.#options(ms)),
      ms,
    )
  }

  /** Frees our lock now (`keep` 0) or lets it live `keep` ms more. */
  async release(key: string, token: string, keep: number, ms: number): Promise<void> {
    await this.#guard(
      this.#client.eval(release, [`${this.entryKey(key)}:lock`], [token, keep], this.#options(ms)),
      ms,
    )
  }

  async write(key: string, entryText: string, px: number, ms: number): Promise<void> {
    await this.#guard(
      this.#client.send(['SET', this.entryKey(key), entryText, 'PX', px], this.#options(ms)),
      ms,
    )
  }

  delete(keys: readonly string[], ms: number): Promise<void> {
    // One DEL per key: single-key commands, so a cluster routes each to its slot.
    return this.#all(
      keys.map((k) => ['DEL', this.entryKey(k)]),
      ms,
    )
  }

  /** Bumps each tag's version: one pipeline of INCRs, whatever the number of entries tagged. */
  invalidate(tags: readonly string[], ms: number): Promise<void> {
    return this.#all(
      tags.map((t) => ['INCR', this.tagKey(t)]),
      ms,
    )
  }
}
