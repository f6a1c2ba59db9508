/**
 * `createCache`: get-or-compute in front of a slow call, on any Client.
 *
 * A lookup reads the entry (and the versions of its tags) in one round trip. Fresh: answered.
 * Stale within grace: answered at once while one refresh runs in the background. Missing: one
 * caller computes. Concurrent lookups of a key in this process share one promise; across
 * processes, the first to take the key's lock (`SET NX PX`) runs the factory and writes the value
 * as it frees the lock, while the others poll the entry with backoff for up to `lockWait`, then
 * compute themselves rather than hang. A holder that dies frees the key when its lock expires.
 * The backend never makes a lookup fail: down or slower than `timeout`, the factory answers.
 */
import { CacheError } from '../errors.ts'
import { type Duration, parseDuration } from '../limit/duration.ts'
import {
  type Core,
  fromFactory,
  negativeError,
  pick,
  RESOLVED,
  runFactory,
  waitForHolder,
} from './compute.ts'
import { checkSize, decodeEntry, type Entry, encodeEntry, entryValue, isPlain } from './entry.ts'
import { L1 } from './l1.ts'
import { type L1Sync, syncL1 } from './l1-sync.ts'
import { type CacheMetrics, emptyMetrics } from './metrics.ts'
import {
  type CacheOptions,
  checkBeta,
  checkKey,
  checkTags,
  type EntryOptions,
  type GetOrSetOptions,
  graceMs,
  ms,
  type Settings,
} from './options.ts'
import type { CacheResult, Factory } from './result.ts'
import { taggedJson } from './serializer.ts'
import { settingsResolver } from './settings.ts'
import { Store } from './store.ts'

export interface Cache {
  /** The cached value for `key`, or the factory's, computed once however many callers miss at once. */
  getOrSet<T>(key: string, factory: Factory<T>, options?: GetOrSetOptions): Promise<T>
  /** `getOrSet` with the status and the background work. */
  load<T>(key: string, factory: Factory<T>, options?: GetOrSetOptions): Promise<CacheResult<T>>
  /** The fresh value (or stale, with `allowStale`), `undefined` when none or the backend fails. */
  get<T>(key: string, options?: { tags?: readonly string[]; allowStale?: boolean }): Promise<T | undefined>
  /** Stores `value`; rejects when it cannot be stored or the backend fails. */
  set(key: string, value: unknown, options?: EntryOptions): Promise<void>
  /** Deletes `key`; rejects when the backend fails. */
  delete(key: string): Promise<void>
  /** Invalidates every entry carrying one of `tags`: one pipeline of INCRs. Rejects when the backend fails. */
  invalidateTags(tags: readonly string[]): Promise<void>
  /** A copy of the counters. */
  metrics(): CacheMetrics
  /** The in-process L1, when configured: `invalidate(key)` and `clear()` for cross-instance notifiers. */
  readonly l1: L1 | undefined
  /** The L1's pub/sub sync with `l1: { sync: true }`: `subscription.close()` stops it. */
  readonly l1Sync: L1Sync | undefined
}

/**
 * Builds a cache.
 *
 * @example
 * const cache = createCache({ client, ttl: '10 m', grace: '1 h' })
 * const user = await cache.getOrSet(`user:${id}`, () => db.user(id), { tags: [`team:${teamId}`] })
 * await cache.invalidateTags([`team:${teamId}`])
 */
export const createCache = (options: CacheOptions): Cache => {
  const { client, serializer = taggedJson, waitUntil } = options
  if (typeof client?.send !== 'function')
    throw new TypeError('createCache needs { client }: a floodgate Client')
  const prefix = options.prefix ?? 'floodgate:cache'
  const base: Settings = {
    ttl: ms(options.ttl ?? 60_000, 'ttl'),
    grace: graceMs(options.grace, 0),
    tags: undefined,
    timeout: ms(options.timeout ?? 1000, 'timeout'),
    softTimeout: 0,
    beta: checkBeta(options.beta ?? 0),
    negativeTtl: 0,
  }
  const lockTtl = ms(options.lockTtl ?? 10_000, 'lockTtl')
  const lockWait = ms(options.lockWait ?? lockTtl, 'lockWait')
  const graceBackoff = ms(options.graceBackoff ?? 10_000, 'graceBackoff')
  const breaker =
    options.breaker === undefined || options.breaker === false ? 0 : ms(options.breaker, 'breaker')
  // Monotonic ms until which the backend is skipped (the breaker is open).
  let skipUntil = 0
  const maxBytes = options.maxBytes ?? 1024 * 1024
  if (!Number.isSafeInteger(maxBytes) || maxBytes <= 0) {
    throw new TypeError(`maxBytes must be a positive integer, received ${String(maxBytes)}`)
  }
  const l1 =
    options.l1 === undefined
      ? undefined
      : new L1(options.l1.max ?? 10_000, parseDuration(options.l1.ttl ?? 1000, 'l1.ttl'))
  const sync = options.l1?.sync
  const l1Sync =
    l1 === undefined || sync === undefined || sync === false
      ? undefined
      : syncL1(client, l1, sync === true ? {} : sync)
  const notify = options.onInvalidate
  const onInvalidate =
    l1Sync === undefined
      ? notify
      : (event: { keys?: readonly string[]; tags?: readonly string[] }) => {
          l1Sync.notify(event)
          notify?.(event)
        }
  const store = new Store(client, prefix)
  const m = emptyMetrics()
  const inflight = new Map<string, Lookup>()
  const refreshing = new Set<string>()

  const settings = settingsResolver(base)

  const background = (work: Promise<unknown>): Promise<unknown> => {
    const quiet = work.then(
      () => undefined,
      () => undefined,
    )
    waitUntil?.(quiet)
    return quiet
  }

  const core: Core = {
    store,
    metrics: m,
    serializer,
    maxBytes,
    l1,
    background,
    graceBackoff,
    lockTtl,
    lockWait,
  }

  /** Whether `entry` was written under the tags' current versions, fetching the ones not read yet. */
  const current = async (entry: Entry, versions: Record<string, number> | undefined, s: Settings) => {
    if (entry.tags === undefined) return true
    const known = versions ?? {}
    const missing = Object.keys(entry.tags).filter((t) => !(t in known))
    if (missing.length > 0) Object.assign(known, await store.versions(missing, s.timeout))
    for (const tag in entry.tags) if (known[tag] !== entry.tags[tag]) return false
    return true
  }

  /** The backend is down or slow: the factory answers, nothing is stored. */
  const direct = async <T>(key: string, factory: Factory<T>): Promise<CacheResult<T>> => {
    m.fallbacks++
    m.factoryCalls++
    const value = await factory({ key, stale: undefined, skip() {}, setOptions() {} })
    return { value, status: 'fallback', pending: RESOLVED }
  }

  /** A refresh in the background, at most one per key at a time in this process and across them. */
  const refresh = <T>(
    key: string,
    factory: Factory<T>,
    s: Settings,
    entry: Entry,
    stale: T,
    versions?: Record<string, number>,
  ) => {
    if (refreshing.has(key)) return RESOLVED
    refreshing.add(key)
    const work = (async () => {
      const token = crypto.randomUUID()
      const { got, text } = await store.acquire(key, token, lockTtl, s.timeout)
      if (!got) return
      // Another process may have refreshed it between our read and our lock.
      const now = text === null ? undefined : decodeEntry(text)
      if (now !== undefined && now.created > entry.created) return store.release(key, token, 0, s.timeout)
      m.refreshes++
      await runFactory(core, key, factory, { ...s, softTimeout: 0 }, token, versions, { value: stale }, true)
    })()
    return background(work.finally(() => refreshing.delete(key)))
  }

  /** Copies how a computed lookup ended onto its ticket and answers its value. */
  const settle = <T>(ticket: Lookup, result: CacheResult<T>): T => {
    ticket.status = result.status
    ticket.pending = result.pending
    return result.value
  }

  /**
   * One lookup, shared by every caller of `key` while it runs (`inflight`). It resolves with the
   * value itself, so `getOrSet` hands its promise straight to the caller (no promise per call on
   * top), and leaves how it ended on `ticket` for `load`. It leaves `inflight` when it settles;
   * `ticket.done` tells `start` not to register a lookup that settled before it could, and a later
   * lookup of `key` starts only once this one has left.
   */
  const lookup = async <T>(key: string, factory: Factory<T>, s: Settings, ticket: Lookup): Promise<T> => {
    try {
      if (skipUntil !== 0) {
        if (performance.now() < skipUntil) return settle(ticket, await direct(key, factory))
        skipUntil = 0
      }
      let stale: { value: T } | undefined
      let versions: Record<string, number> | undefined
      try {
        let text: string | null
        if (s.tags === undefined) {
          // The hit path: one GET, awaited as `store.get` returns it (no `read` result to build).
          const reply = await store.get(key, s.timeout)
          text = typeof reply === 'string' ? reply : null
        } else {
          const read = await store.read(key, s.tags, s.timeout)
          versions = read.versions
          text = read.text
        }
        const entry = text === null ? undefined : decodeEntry(text)
        if (entry !== undefined) {
          const now = Date.now()
          const valid = entry.tags === undefined || (await current(entry, versions, s))
          if (valid && now < entry.freshUntil) {
            if (entry.negative) throw negativeError(key, entry.payload)
            const value = entryValue(entry, serializer) as T
            m.hits++
            l1?.set(key, value, now, entry.freshUntil, s.tags)
            // XFetch (Vattani et al., PVLDB 2015): refresh early with probability exp(-gap/(delta*beta)).
            if (s.beta > 0 && now - entry.delta * s.beta * Math.log(1 - Math.random()) >= entry.freshUntil)
              ticket.pending = refresh(key, factory, s, entry, value, versions)
            return value
          }
          if (now < entry.staleUntil && !entry.negative) {
            const value = entryValue(entry, serializer) as T
            if (valid) {
              m.staleServed++
              ticket.status = 'stale'
              ticket.pending = refresh(key, factory, s, entry, value, versions)
              return value
            }
            // Invalidated by a tag: computed now, but kept for a failing or slow factory.
            stale = { value }
          }
        }
        m.misses++
        const token = crypto.randomUUID()
        const { got } = await store.acquire(key, token, lockTtl, s.timeout)
        if (got) return settle(ticket, await runFactory(core, key, factory, s, token, versions, stale))
        if (stale !== undefined) {
          m.staleServed++
          ticket.status = 'stale'
          return stale.value
        }
        return settle(ticket, await waitForHolder(core, key, factory, s, versions))
      } catch (error) {
        if (error instanceof CacheError || !isBackendError(error) || fromFactory.has(error as object))
          throw error
        m.errors++
        if (breaker > 0) skipUntil = performance.now() + breaker
        return settle(ticket, await direct(key, factory))
      }
    } finally {
      ticket.done = true
      inflight.delete(key)
    }
  }

  /** The lookup of `key` running now, or a new one. Throws `TypeError` on misuse. */
  const start = <T>(key: string, factory: Factory<T>, o: GetOrSetOptions | undefined): Lookup => {
    checkKey(key)
    if (typeof factory !== 'function') throw new TypeError('getOrSet needs a factory function')
    const s = settings(o)
    if (l1 !== undefined) {
      const kept = l1.get(key, Date.now())
      if (kept !== undefined) {
        m.hits++
        m.l1Hits++
        return { promise: Promise.resolve(kept.value), done: true, status: 'hit', pending: RESOLVED }
      }
    }
    const running = inflight.get(key)
    if (running !== undefined) return running
    const ticket: Lookup = { promise: RESOLVED, done: false, status: 'hit', pending: RESOLVED }
    ticket.promise = lookup(key, factory, s, ticket)
    if (!ticket.done) inflight.set(key, ticket)
    return ticket
  }

  const load = <T>(key: string, factory: Factory<T>, o?: GetOrSetOptions): Promise<CacheResult<T>> => {
    let ticket: Lookup
    try {
      ticket = start(key, factory, o)
    } catch (error) {
      return Promise.reject(error)
    }
    return ticket.promise.then((value) => ({
      value: value as T,
      status: ticket.status,
      pending: ticket.pending,
    }))
  }

  const getOrSet = <T>(key: string, factory: Factory<T>, o?: GetOrSetOptions): Promise<T> => {
    try {
      return start(key, factory, o).promise as Promise<T>
    } catch (error) {
      return Promise.reject(error)
    }
  }

  return {
    l1,
    l1Sync,
    load,
    getOrSet,

    async get<T>(key: string, o?: { tags?: readonly string[]; allowStale?: boolean }) {
      checkKey(key)
      const s = { ...base, tags: checkTags(o?.tags) }
      try {
        const read = await store.read(key, s.tags, s.timeout)
        const entry = read.text === null ? undefined : decodeEntry(read.text)
        if (entry === undefined || entry.negative || !(await current(entry, read.versions, s)))
          return undefined
        const now = Date.now()
        if (now >= (o?.allowStale ? entry.staleUntil : entry.freshUntil)) return undefined
        return entryValue(entry, serializer) as T
      } catch (error) {
        if (!isBackendError(error)) throw error
        m.errors++
        return undefined
      }
    },

    async set(key, value, o) {
      checkKey(key)
      const s = settings(o)
      const payload = serializer.serialize(value)
      checkSize(payload, maxBytes, key)
      const versions = s.tags === undefined ? undefined : await store.versions(s.tags, s.timeout)
      const now = Date.now()
      const text = encodeEntry({
        created: now,
        freshUntil: now + s.ttl,
        staleUntil: now + s.ttl + s.grace,
        delta: 0,
        negative: false,
        plain: isPlain(payload, serializer),
        tags: s.tags === undefined ? undefined : pick(versions, s.tags),
        payload,
      })
      await store.write(key, text, s.ttl + s.grace, s.timeout)
      l1?.set(key, value, now, now + s.ttl, s.tags)
      onInvalidate?.({ keys: [key] })
    },

    async delete(key) {
      checkKey(key)
      l1?.invalidate(key)
      await store.delete([key], base.timeout)
      onInvalidate?.({ keys: [key] })
    },

    async invalidateTags(tags) {
      const checked = checkTags(tags)
      if (checked === undefined) return
      l1?.invalidateTags(checked)
      await store.invalidate(checked, base.timeout)
      onInvalidate?.({ tags: checked })
    },

    metrics: () => ({ ...m }),
  }
}

/** A lookup in flight: its value, and how it was reached (`load` reads it once it settles). */
interface Lookup {
  promise: Promise<unknown>
  /** The lookup has settled (and left `inflight`). */
  done: boolean
  status: CacheResult<unknown>['status']
  pending: Promise<unknown>
}

/** Errors of the backend (unreachable, slow, refusing), as opposed to the factory's or the caller's. */
const isBackendError = (error: unknown): boolean =>
  error instanceof Error &&
  (error.name === 'TransportError' ||
    error.name === 'TimeoutError' ||
    error.name === 'ReplyError' ||
    error.name === 'ProtocolError')

export type { CacheResult, Duration, Factory }
