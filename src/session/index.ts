/** Sessions: stateful (id in the cookie, data in Valkey) or stateless (JWE cookie). */
export { type CookieOptions, cookieSpec, readCookie, serializeCookie } from './cookie.ts'
export type { Secret } from './keys.ts'
export { Session, type SessionData } from './session.ts'
export {
  createSessions,
  type Sessions,
  type SessionsOptions,
  type StatefulOptions,
  type StatelessOptions,
} from './sessions.ts'
export type { InvalidReason } from './store.ts'
