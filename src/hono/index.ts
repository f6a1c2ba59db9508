/** floodgate/hono: Hono middleware for rate limiting, sessions and response caching. */
export type { ClientIpOptions, TrustProxy } from '../context/client-ip.ts'
export { ipKey } from '../limit/ip-key.ts'
export { defer, executionContext } from './background.ts'
export { clientIp } from './client-ip.ts'
export { dashboard } from './dashboard.ts'
export { draftHeaders, type HeaderDraft } from './draft-headers.ts'
export { type SseRelayOptions, sseRelay } from './pubsub.ts'
export {
  type HeaderFields,
  type HeaderStyle,
  type LimiterLike,
  type RateLimitEnv,
  type RateLimitOptions,
  rateLimit,
} from './rate-limit.ts'
export { type RateLimiterOptions, type RateLimitInfo, rateLimiter } from './rate-limiter.ts'
export { type ResponseCacheLike, type ResponseCacheOptions, responseCache } from './response-cache.ts'
export { type SessionEnv, type SessionOptions, session } from './session.ts'
