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
import type { Client, Reply } from '../client/types.ts'
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

const text = (reply: Reply | ReplyError | undefined): string | null => {
  if (reply instanceof ReplyError) throw reply
  return typeof reply === 'string' ? reply : null
}

export class Store {
  readonly #client: Client
  readonly #prefix: string
  readonly #guards = new Map<number, Guard>()

  constructor(client: Client, prefix: string) {
    this.#client = client
    this.#prefix = prefix
  }

  entryKey(key: string): string {
    return `{${this.#prefix}:${key}}`
  }

  tagKey(tag: string): string {
    return `{${this.#prefix}:tag:${tag}}`
  }

  /**
   * `call`, or a `TimeoutError` after `ms`. One deadline queue per distinct timeout serves every
   * call; a reply the client already holds (an in-process backend) needs none.
   */
  guard<T>(call: Promise<T>, ms: number): Promise<T> {
    if (settledValue(call) !== NOT_SETTLED) return call
    let guard = this.#guards.get(ms)
    if (guard === undefined) {
      guard = timeoutGuard(ms)
      this.#guards.set(ms, guard)
    }
    return guard(call)
  }

  /** The entry's text and, in the same round trip, the current versions of `tags`. */
  async read(key: string, tags: readonly string[] | undefined, ms: number): Promise<Read> {
    if (tags === undefined) {
      const reply = await this.guard(this.#client.send(['GET', this.entryKey(key)]), ms)
      return { text: typeof reply === 'string' ? reply : null, versions: undefined }
    }
    const replies = await this.guard(
      this.#client.pipeline([['GET', this.entryKey(key)], ...tags.map((t) => ['GET', this.tagKey(t)])]),
      ms,
    )
    const versions: Record<string, number> = {}
    tags.forEach((tag, i) => {
      versions[tag] = version(replies[i + 1])
    })
    return { text: text(replies[0]), versions }
  }

  async versions(tags: readonly string[], ms: number): Promise<Record<string, number>> {
    const replies = await this.guard(this.#client.pipeline(tags.map((t) => ['GET', this.tagKey(t)])), ms)
    const versions: Record<string, number> = {}
    tags.forEach((tag, i) => {
      versions[tag] = version(replies[i])
    })
    return versions
  }

  /** Takes the key's lock for `ttl` ms if it is free; also returns the entry as it is now. */
  async acquire(
    key: string,
    token: string,
    ttl: number,
    ms: number,
  ): Promise<{ got: boolean; text: string | null }> {
    const entry = this.entryKey(key)
    const [got, current] = await this.guard(
      this.#client.pipeline([
        ['SET', `${entry}:lock`, token, 'NX', 'PX', ttl],
        ['GET', entry],
      ]),
      ms,
    )
    if (got instanceof ReplyError) throw got
    return { got: got === 'OK', text: text(current) }
  }

  /** The entry's text and whether its lock is still held. */
  async poll(key: string, ms: number): Promise<{ text: string | null; locked: boolean }> {
    const entry = this.entryKey(key)
    const [current, locked] = await this.guard(
      this.#client.pipeline([
        ['GET', entry],
        ['EXISTS', `${entry}:lock`],
      ]),
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
    await this.guard(this.#client.eval(writeAndRelease, [entry, `${entry}:lock`], [token, entryText, px]), ms)
  }

  /** Frees our lock now (`keep` 0) or lets it live `keep` ms more. */
  async release(key: string, token: string, keep: number, ms: number): Promise<void> {
    await this.guard(this.#client.eval(release, [`${this.entryKey(key)}:lock`], [token, keep]), ms)
  }

  async write(key: string, entryText: string, px: number, ms: number): Promise<void> {
    await this.guard(this.#client.send(['SET', this.entryKey(key), entryText, 'PX', px]), ms)
  }

  async delete(keys: readonly string[], ms: number): Promise<void> {
    // One DEL per key: single-key commands, so a cluster routes each to its slot.
    const replies = await this.guard(this.#client.pipeline(keys.map((k) => ['DEL', this.entryKey(k)])), ms)
    for (const reply of replies) if (reply instanceof ReplyError) throw reply
  }

  /** Bumps each tag's version: one pipeline of INCRs, whatever the number of entries tagged. */
  async invalidate(tags: readonly string[], ms: number): Promise<void> {
    const replies = await this.guard(this.#client.pipeline(tags.map((t) => ['INCR', this.tagKey(t)])), ms)
    for (const reply of replies) if (reply instanceof ReplyError) throw reply
  }
}
