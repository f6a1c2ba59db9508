export { streamKey } from './durable.ts'
export { type OverflowPolicy, SubscriberOverflowError } from './feed.ts'
export type { Backoff } from './link.ts'
export type { DurableOptions, SubscribeOptions } from './options.ts'
export { type PublishOptions, publish, spublish } from './publish.ts'
export { psubscribe, subscribe } from './subscribe.ts'
export type {
  Gap,
  PubSubMessage,
  Subscription,
  SubscriptionEvent,
  SubscriptionEvents,
  SubscriptionStats,
} from './types.ts'
