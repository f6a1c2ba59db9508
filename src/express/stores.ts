/**
 * floodgate/express/stores: drop-in stores for apps that keep express-session and
 * express-rate-limit (replacing connect-redis and rate-limit-redis). Apart from floodgate/express
 * because that entry declares `req.session` as floodgate's, which an express-session app must not get.
 */
export { type ClientRateLimitInfo, RateLimitStore, type RateLimitStoreOptions } from './rate-limit-store.ts'
export { type SessionLike, SessionStore, type SessionStoreOptions } from './session-store.ts'
