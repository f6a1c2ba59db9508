/** Rate limiting: the algorithms, the limiter, its result and the RateLimit headers. */
export type { Algorithm, AlgorithmKind, AlgorithmOptions } from './algorithm.ts'
export { type Duration, parseDuration } from './duration.ts'
export { fixedWindow } from './fixed-window.ts'
export { type GcraOptions, gcra } from './gcra.ts'
export { type RateLimitHeaderOptions, rateLimitHeaders } from './headers.ts'
export {
  createLimiter,
  type Limiter,
  type LimiterOptions,
  type LimitOptions,
  type RemainingResult,
} from './limiter.ts'
export { Ratelimit, type RatelimitConfig } from './ratelimit.ts'
export type { PolicyState, RateLimitResult } from './result.ts'
export { slidingWindow } from './sliding-window.ts'
export { tokenBucket } from './token-bucket.ts'
