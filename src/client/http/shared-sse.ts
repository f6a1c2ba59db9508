/**
 * Subscriptions opened from one HTTP client share its SSE streams: one stream per channel or
 * pattern, read and parsed once, each event handed to every subscription that wants it (the
 * shared hub of the TCP client, `../tcp/shared-subscriber.ts`). A hundred subscriptions to one
 * channel cost one request to the bridge and one parse per event, not a hundred. A subscription
 * that pauses when full (`exclusive`) keeps streams of its own, so it never stalls the others.
 * Attached by `subscribe()` with the reader, so the Worker bundle of a client that never
 * subscribes carries neither.
 */
import { sharedSubscribers } from '../tcp/shared-subscriber.ts'
import type { SubscriberConnection, SubscriberHandlers, SubscriberOptions } from '../types.ts'
import type { OpenSse } from './sse-slot.ts'
import { openSseSubscriber, type SseOptions } from './subscriber.ts'

type Shared = ReturnType<typeof sharedSubscribers>

/** The hub of each client, keyed by the options object it was created with (one per client). */
const hubs = new WeakMap<SseOptions, Shared>()

/**
 * Opens a member of the client's shared SSE subscriber (its own streams when `exclusive`).
 *
 * @example
 * attachSse(openSharedSse)
 */
export const openSharedSse: OpenSse = (
  options: SseOptions,
  handlers: SubscriberHandlers,
  subscriberOptions?: SubscriberOptions,
): Promise<SubscriberConnection> => {
  let shared = hubs.get(options)
  if (shared === undefined) {
    shared = sharedSubscribers((h) => openSseSubscriber(options, h))
    hubs.set(options, shared)
  }
  // SSE carries text only: text and bytes subscriptions share one hub (the layer above encodes).
  return shared(handlers, { exclusive: subscriberOptions?.exclusive === true })
}
