/**
 * Where the HTTP client finds its SSE subscriber. The reader (`./subscriber.ts`, about 3 KB
 * minified) is attached by floodgate's pub/sub entry point when something subscribes, so a Worker
 * that only rate-limits or keeps sessions over the bridge does not carry it (its hook costs a Worker
 * about 50 bytes). Calling the client's `openSubscriber` before any `subscribe()` fails with a
 * TypeError (`openSse` is not a function).
 */
import type { SubscriberConnection, SubscriberHandlers, SubscriberOptions } from '../types.ts'
import type { SseOptions } from './subscriber.ts'

export type OpenSse = (
  options: SseOptions,
  handlers: SubscriberHandlers,
  subscriberOptions?: SubscriberOptions,
) => Promise<SubscriberConnection>

/** The attached reader; a live binding, read at each call. */
export let openSse: OpenSse | undefined

/** Attaches the SSE reader (`subscribe()` does, before it opens anything). */
export const attachSse = (open: OpenSse): void => {
  openSse = open
}
