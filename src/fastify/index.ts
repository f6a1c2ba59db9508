/** floodgate/fastify: Fastify plugins for sessions and rate limiting. */
export { skipOverride } from './plugin.ts'
export {
  type ErrorContext,
  type RateLimitHook,
  type RateLimitPluginOptions,
  rateLimit,
  rateLimitHook,
} from './rate-limit.ts'
export { type DeclaredData, type FastifySessionData, type SessionPluginOptions, session } from './session.ts'
