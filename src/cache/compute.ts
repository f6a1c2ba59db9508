/**
 * Computing a value: the factory run by the lock holder (its value stored as the lock is freed,
 * or its failure answered by a stale value, remembered by negative caching, or passed on), and
 * the wait of the callers that did not get the lock (poll with backoff, take over when the lock
 * is gone, compute themselves after `lockWait`).
 */
import { CacheError } from '../errors.ts'
import { checkSize, decodeEntry, encodeEntry, entryValue, isPlain } from './entry.ts'
import type { L1 } from './l1.ts'
import type { CacheMetrics } from './metrics.ts'
import { checkTags, type FactoryContext, graceMs, ms, type Settings } from './options.ts'
import type { CacheResult, Factory } from './result.ts'
import type { Serializer } from './serializer.ts'
import type { Store } from './store.ts'

/** What the computing functions share with the cache that owns them. */
export interface Core {
  readonly store: Store
  readonly metrics: CacheMetrics
  readonly serializer: Serializer
  readonly maxBytes: number
  readonly l1: L1 | undefined
  /** Hands work to `waitUntil`; the returned promise never rejects. */
  readonly background: (work: Promise<unknown>) => Promise<unknown>
  readonly graceBackoff: number
  readonly lockTtl: number
  readonly lockWait: number
}

export const RESOLVED: Promise<unknown> = Promise.resolve()

// Errors thrown by a factory pass through untouched, even a TransportError from the app's own
// backend, which must not be mistaken for this cache's backend failing (and the factory re-run).
export const fromFactory = new WeakSet<object>()

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

export const negativeError = (key: string, message: string) =>
  new CacheError(`the factory for cache key '${key}' failed recently: ${message}`, {
    code: 'ERR_CACHE_NEGATIVE',
  })

export const pick = (
  versions: Record<string, number> | undefined,
  tags: readonly string[],
): Record<string, number> => {
  const out: Record<string, number> = {}
  for (const tag of tags) out[tag] = versions?.[tag] ?? 0
  return out
}

/**
 * Runs the factory as the lock holder and stores its value. With a `stale` value at hand, a
 * failing factory answers it instead (and keeps the lock `graceBackoff` ms, so no process
 * retries at once), as does one slower than `softTimeout`.
 */
export const runFactory = async <T>(
  core: Core,
  key: string,
  factory: Factory<T>,
  s: Settings,
  token: string | undefined,
  versions: Record<string, number> | undefined,
  stale: { value: T } | undefined,
  quietly = false,
): Promise<CacheResult<T>> => {
  const { store, metrics: m, serializer, maxBytes, l1, background, graceBackoff } = core
  let skipped = false
  let ttl = s.ttl
  let grace = s.grace
  let tags = s.tags
  const context: FactoryContext<T> = {
    key,
    stale: stale?.value,
    skip: () => {
      skipped = true
    },
    setOptions: (o) => {
      if (o.ttl !== undefined) ttl = ms(o.ttl, 'ttl')
      if (o.grace !== undefined) grace = graceMs(o.grace, 0)
      if (o.tags !== undefined) tags = checkTags(o.tags)
    },
  }
  const free = (keep: number) =>
    token === undefined ? RESOLVED : background(store.release(key, token, keep, s.timeout))
  const started = performance.now()
  m.factoryCalls++
  const store_ = async (value: T): Promise<void> => {
    if (skipped) {
      await free(0)
      return
    }
    let payload: string
    try {
      payload = serializer.serialize(value)
      checkSize(payload, maxBytes, key)
    } catch (error) {
      await free(0)
      throw error
    }
    let written = versions
    if (tags !== s.tags && tags !== undefined) written = await store.versions(tags, s.timeout)
    const now = Date.now()
    const entry = encodeEntry({
      created: now,
      freshUntil: now + ttl,
      staleUntil: now + ttl + grace,
      delta: Math.round(performance.now() - started),
      negative: false,
      plain: isPlain(payload, serializer),
      tags: tags === undefined ? undefined : pick(written, tags),
      payload,
    })
    l1?.set(key, value, now, now + ttl, tags)
    const px = ttl + grace
    if (token === undefined) await store.write(key, entry, px, s.timeout)
    else await store.writeAndRelease(key, token, entry, px, s.timeout)
  }
  const computing = Promise.resolve().then(() => factory(context))
  const stored = computing.then(store_)
  stored.catch(() => {})
  if (stale !== undefined && s.softTimeout > 0) {
    const late = Symbol('late')
    const first = await Promise.race([computing.catch(() => late), sleep(s.softTimeout).then(() => late)])
    if (first === late) {
      m.staleServed++
      return { value: stale.value, status: 'stale', pending: background(stored) }
    }
  }
  let value: T
  try {
    value = await computing
  } catch (error) {
    if (typeof error === 'object' && error !== null) fromFactory.add(error)
    m.errors++
    let pending = free(stale === undefined ? 0 : graceBackoff)
    if (s.negativeTtl > 0 && stale === undefined) {
      const now = Date.now()
      const text = encodeEntry({
        created: now,
        freshUntil: now + s.negativeTtl,
        staleUntil: now + s.negativeTtl,
        delta: 0,
        negative: true,
        tags: undefined,
        payload: error instanceof Error ? error.message : String(error),
      })
      pending = background(store.write(key, text, s.negativeTtl, s.timeout))
    }
    if (stale === undefined) throw error
    if (!quietly) m.staleServed++
    return { value: stale.value, status: 'stale', pending }
  }
  try {
    await stored
  } catch (error) {
    if (error instanceof CacheError && error.code === 'ERR_CACHE_VALUE') throw error
    m.errors++ // too large, or the backend failed while writing: the value is still good
  }
  return { value, status: 'miss', pending: RESOLVED }
}

/** Waits for the process holding the lock; computes itself once the lock is gone or after `lockWait`. */
export const waitForHolder = async <T>(
  core: Core,
  key: string,
  factory: Factory<T>,
  s: Settings,
  versions: Record<string, number> | undefined,
): Promise<CacheResult<T>> => {
  const { store, metrics: m, serializer, lockTtl, lockWait } = core
  m.lockWaits++
  const deadline = performance.now() + lockWait
  let delay = 5
  for (;;) {
    await sleep(Math.min(delay, Math.max(1, deadline - performance.now())))
    delay = Math.min(delay * 2, 50)
    const polled = await store.poll(key, s.timeout)
    const entry = polled.text === null ? undefined : decodeEntry(polled.text)
    if (entry !== undefined && Date.now() < entry.freshUntil) {
      if (entry.negative) throw negativeError(key, entry.payload)
      return {
        value: entryValue(entry, serializer) as T,
        status: 'miss',
        pending: RESOLVED,
      } as const
    }
    if (!polled.locked) {
      const token = crypto.randomUUID()
      if ((await store.acquire(key, token, lockTtl, s.timeout)).got) {
        return runFactory(core, key, factory, s, token, versions, undefined)
      }
    }
    if (performance.now() >= deadline)
      return runFactory(core, key, factory, s, undefined, versions, undefined)
  }
}
