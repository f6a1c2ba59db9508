/** What a lookup answers, and the factory it may call: the types the cache's modules share. */
import type { FactoryContext } from './options.ts'

/** A lookup's answer and how it was reached. */
export interface CacheResult<T> {
  readonly value: T
  /**
   * `'hit'` fresh from the cache; `'stale'` within grace (a refresh may be running); `'miss'`
   * computed by this call or received from the process that computed it; `'fallback'` computed
   * directly because the backend was down or slow.
   */
  readonly status: 'hit' | 'stale' | 'miss' | 'fallback'
  /** Background work (a refresh, a late write): hand it to `waitUntil`. Never rejects. */
  readonly pending: Promise<unknown>
}

export type Factory<T> = (context: FactoryContext<T>) => T | Promise<T>
