/**
 * Where the HTTP client finds its SSE subscriber. The reader (`./subscriber.ts`, about 3 KB
 * minified) is attached by floodgate's pub/sub entry point when something subscribes, so a Worker
 * that only rate-limits or keeps sessions over the bridge does not carry it.
 */
import type { SubscriberConnection, SubscriberHandlers, SubscriberOptions } from '../types.ts'
import type { SseConfig } from './subscriber.ts'

export type SseOpener = (
  config: SseConfig,
  handlers: SubscriberHandlers,
  options?: SubscriberOptions,
) => SubscriberConnection

let opener: SseOpener | undefined

/** Makes `open` the HTTP client's subscriber (called by `subscribe()`). */
export const attachSse = (open: SseOpener): void => {
  opener = open
}

/** The attached subscriber, or a TypeError that names the way to get one. */
export const sseOpener = (): SseOpener => {
  if (opener === undefined) throw new TypeError("use subscribe() from 'floodgate'")
  return opener
}
