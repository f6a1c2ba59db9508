/**
 * The cache's options, their defaults, and their checks: durations in ms or `'10 m'` (parsed once
 * per distinct value, since `getOrSet` receives them on every call), misuse as `TypeError`.
 */
import type { Client } from '../client/types.ts'
import { type Duration, parseDuration } from '../limit/duration.ts'
import type { Serializer } from './serializer.ts'

export interface EntryOptions {
  /** How long a value is fresh. Default: the cache's `ttl` (1 minute). */
  ttl?: Duration
  /** How long after `ttl` a stale value may still be answered (stale-while-revalidate). Default none. */
  grace?: Duration | false
  /** Tags to invalidate this value by (`invalidateTags`). */
  tags?: readonly string[]
}

export interface GetOrSetOptions extends EntryOptions {
  /** Ms to wait for Valkey before calling the factory directly. Default: the cache's `timeout`. */
  timeout?: Duration
  /**
   * With a stale value at hand (invalidated by a tag, within grace), answer it when the factory
   * takes longer than this; the factory runs on and its value is stored when it comes.
   */
  softTimeout?: Duration
  /** XFetch early refresh: 0 (off) or a positive factor, 1 the paper's optimum. Default: the cache's. */
  beta?: number
  /** Remember a factory failure this long (negative caching). Default: not remembered. */
  negativeTtl?: Duration
}

/** What the factory may do besides returning the value. */
export interface FactoryContext<T> {
  readonly key: string
  /** The stale value being refreshed, if any. */
  readonly stale: T | undefined
  /** Do not store this value (it is still returned). */
  skip(): void
  /** Overrides `ttl`, `grace` or `tags` for this value (e.g. from an upstream's Cache-Control). */
  setOptions(options: EntryOptions): void
}

export interface CacheOptions {
  /** The backend: a TCP, HTTP (bridge), cluster or memory Client. */
  client: Client
  /** Key prefix; keys are `{prefix:key}`. Default `'floodgate:cache'`. */
  prefix?: string
  /** Default freshness. Default `'1 m'`. */
  ttl?: Duration
  /** Default grace. Default none. */
  grace?: Duration | false
  /** Ms to wait for the backend before answering without it. Default 1000. */
  timeout?: Duration
  /**
   * After the backend failed or timed out, skip it for this long: lookups go straight to the
   * factory instead of each waiting `timeout` for a server that is down. Default off.
   */
  breaker?: Duration | false
  /** How long a computing lock lives if its holder dies. Default 10 s. */
  lockTtl?: Duration
  /** How long a caller waits for another process's computation before computing itself. Default `lockTtl`. */
  lockWait?: Duration
  /** After a failed refresh, how long no process retries it (stale is served meanwhile). Default 10 s. */
  graceBackoff?: Duration
  /** XFetch beta for early refreshes. Default 0 (off). */
  beta?: number
  /** Largest stored value in bytes (UTF-8 of the serialized text). Default 1 MiB. */
  maxBytes?: number
  /** Values to text and back. Default `taggedJson`. */
  serializer?: Serializer
  /**
   * An in-process LRU in front of Valkey: its size and per-entry TTL (keep it short). Default off.
   * `sync: true` (or `{ channel }`) keeps the L1s of all instances coherent over pub/sub: a set,
   * delete or tag invalidation here drops the entries from the others' L1 at once, and a pub/sub
   * gap clears the L1 (`cache.l1Sync.close()` stops it).
   */
  l1?: { max?: number; ttl?: Duration; sync?: boolean | { channel?: string } }
  /** Where background work goes (refreshes, late writes): e.g. `ctx.waitUntil`. */
  waitUntil?: (promise: Promise<unknown>) => void
  /**
   * Called after this instance changed keys (set, delete) or invalidated tags: the seam for a
   * notifier that tells other instances to drop them from their L1 (`cache.l1.invalidate`).
   */
  onInvalidate?: (event: { keys?: readonly string[]; tags?: readonly string[] }) => void
}

/** A lookup's options, resolved to milliseconds. */
export interface Settings {
  ttl: number
  grace: number
  tags: readonly string[] | undefined
  timeout: number
  softTimeout: number
  beta: number
  negativeTtl: number
}

const parsed = new Map<Duration, number>()

/** `parseDuration`, memoized: option values repeat on every call. */
export const ms = (value: Duration, what: string): number => {
  const known = parsed.get(value)
  if (known !== undefined) return known
  const result = parseDuration(value, what)
  if (parsed.size < 1024) parsed.set(value, result)
  return result
}

export const graceMs = (value: Duration | false | undefined, fallback: number): number =>
  value === undefined ? fallback : value === false ? 0 : ms(value, 'grace')

export const checkKey = (key: unknown): string => {
  if (typeof key !== 'string' || key.length === 0) {
    throw new TypeError(
      `a cache key must be a non-empty string, received ${JSON.stringify(key) ?? String(key)}`,
    )
  }
  return key
}

export const checkTags = (tags: unknown): readonly string[] | undefined => {
  if (tags === undefined) return undefined
  if (!Array.isArray(tags) || tags.some((t) => typeof t !== 'string' || t.length === 0)) {
    throw new TypeError(`tags must be an array of non-empty strings, received ${JSON.stringify(tags)}`)
  }
  return tags.length === 0 ? undefined : tags
}

export const checkBeta = (beta: unknown): number => {
  if (typeof beta !== 'number' || !(beta >= 0) || !Number.isFinite(beta)) {
    throw new TypeError(`beta must be 0 (off) or a positive number such as 1, received ${String(beta)}`)
  }
  return beta
}
