/** Rate limiting: the algorithms, the limiter, its result and the RateLimit headers. */
export type { Algorithm, AlgorithmKind, AlgorithmOptions } from './algorithm.ts'
export {
  type AnalyticsOptions,
  createRecorder,
  type Outcome,
  type Recorder,
  withAnalytics,
} from './analytics.ts'
export {
  type AnalyticsCount,
  type AnalyticsPoint,
  type LimiterAnalytics,
  type ReadAnalyticsOptions,
  readAnalytics,
} from './analytics-report.ts'
export { createDenyList, type DenyList } from './deny-list.ts'
export { type Duration, parseDuration } from './duration.ts'
export { fixedWindow } from './fixed-window.ts'
export { type GcraOptions, gcra } from './gcra.ts'
export { type RateLimitHeaderOptions, rateLimitHeaders } from './headers.ts'
export * as IpDenyList from './ip-deny-list-api.ts'
export {
  createLimiter,
  type Limiter,
  type LimiterOptions,
  type LimitOptions,
  type RemainingResult,
} from './limiter.ts'
export { MultiRegionRatelimit, type MultiRegionRatelimitConfig } from './multi-region.ts'
export { type LimitRequest, Ratelimit, type RatelimitConfig, type RatelimitResponse } from './ratelimit.ts'
export type { PolicyState, RateLimitResult } from './result.ts'
export { slidingWindow } from './sliding-window.ts'
export { tokenBucket } from './token-bucket.ts'
