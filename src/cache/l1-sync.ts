/**
 * Keeps the L1 of every instance coherent over pub/sub: each instance publishes the keys it set
 * or deleted and the tags it invalidated on one channel, and drops from its own L1 what the others
 * publish. Pub/sub is at-most-once, so whenever a message may have been lost (a reconnect, a full
 * buffer: a `gap`) the whole L1 is cleared; the next reads go to Valkey.
 */
import type { Client } from '../client/types.ts'
import { publish } from '../pubsub/publish.ts'
import { subscribe } from '../pubsub/subscribe.ts'
import type { Subscription } from '../pubsub/types.ts'
import type { L1 } from './l1.ts'

export interface L1SyncOptions {
  /** The channel the instances share. Default `'floodgate:cache:l1'`; one per cache prefix. */
  channel?: string
}

export interface L1Sync {
  /** Tells the other instances (the cache's `onInvalidate`). */
  notify(event: { keys?: readonly string[]; tags?: readonly string[] }): void
  /** The subscription: `close()` it to stop, `stats` and `on('gap')` to watch it. */
  readonly subscription: Subscription
}

interface Notice {
  from: string
  keys?: readonly string[]
  tags?: readonly string[]
}

/**
 * Starts syncing `l1` across instances through `client`.
 *
 * @example
 * const sync = syncL1(client, l1, { channel: 'app:cache' })
 * sync.notify({ keys: ['user:42'] })
 */
export const syncL1 = (
  client: Client,
  l1: L1,
  { channel = 'floodgate:cache:l1' }: L1SyncOptions = {},
): L1Sync => {
  if (typeof channel !== 'string' || channel === '')
    throw new TypeError(`l1.sync.channel must be a non-empty string, received ${String(channel)}`)
  const self = Math.random().toString(36).slice(2) + Date.now().toString(36)
  const subscription = subscribe(client, channel, {
    // Whatever was missed is unknown: forget everything rather than serve a stale value.
    onGap: () => l1.clear(),
    onDisconnect: () => l1.clear(),
  })
  void (async () => {
    try {
      for await (const { message } of subscription) {
        let notice: Notice
        try {
          notice = JSON.parse(message as string) as Notice
        } catch {
          continue // not ours
        }
        if (notice.from === self) continue
        for (const key of notice.keys ?? []) l1.invalidate(key)
        if (notice.tags?.length) l1.invalidateTags(notice.tags)
      }
    } catch {
      // The subscription ended for good (a refused login): the L1 TTL alone bounds staleness.
      l1.clear()
    }
  })()
  return {
    subscription,
    notify(event) {
      const notice: Notice = { from: self, ...event }
      // Fire and forget: a lost notice costs at most the L1 TTL of staleness elsewhere.
      void publish(client, channel, JSON.stringify(notice)).catch(() => {})
    },
  }
}
