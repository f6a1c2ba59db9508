/** floodgate/express: Express middleware for sessions and rate limiting. */
export type { StandardHeaders } from './draft-headers.ts'
export { type RateLimitInfo, type RateLimitOptions, rateLimit } from './rate-limit.ts'
export { type DeclaredData, type ExpressSessionData, type SessionOptions, session } from './session.ts'
