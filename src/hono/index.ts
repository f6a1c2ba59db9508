/** floodgate/hono: Hono middleware for rate limiting and sessions. */
export type { ClientIpOptions, TrustProxy } from '../edge/client-ip.ts'
export { defer, executionContext } from './background.ts'
export { clientIp } from './client-ip.ts'
export { type SessionEnv, type SessionOptions, session } from './session.ts'
