/**
 * `createSessions()`: the entry point. It checks the options once (an unsafe cookie or a short
 * secret fails at startup, not on the first request) and returns `load(request)`, which reads the
 * session cookie and never throws for a bad cookie: it hands back a fresh session and reports the
 * reason to `onInvalid`. A backend that cannot be reached does throw (`TransportError`).
 */
import type { Client } from '../client/types.ts'
import { type CookieOptions, cookieSpec, MAX_AGE_LIMIT, readCookie } from './cookie.ts'
import { checkSecrets, type Secret } from './keys.ts'
import { Session, type SessionData } from './session.ts'
import { statefulStore } from './stateful.ts'
import { statelessStore } from './stateless.ts'
import type { InvalidReason, Store } from './store.ts'

interface CommonOptions {
  cookie?: CookieOptions
  /** Seconds without a request before the session ends; default 1800 (30 min). */
  idleTimeout?: number
  /** Seconds after creation (or `regenerate()`) when the session ends however busy; default 7 days. */
  absoluteTimeout?: number
  /** Called once for each cookie that was not accepted; default: one `console.warn` line (reason only). */
  onInvalid?: (reason: InvalidReason) => void
  /** Clock in epoch ms, for tests; default `Date.now`. */
  now?: () => number
}

export interface StatefulOptions<Data extends SessionData> extends CommonOptions {
  mode?: 'stateful'
  client: Client
  /** Key prefix; default `fg:sess:`. Keys are `<prefix>{<sha256 of id>}` and `<prefix>user:{<userId>}`. */
  prefix?: string
  /** The data field holding the user id; sessions that have it can be ended with `destroyAll(userId)`. */
  userKey?: keyof Data & string
}

export interface StatelessOptions extends CommonOptions {
  mode: 'stateless'
  /** One secret or several (rotation): the first seals new cookies, every one opens old ones. */
  secrets: Secret | readonly Secret[]
}

export type SessionsOptions<Data extends SessionData> = StatefulOptions<Data> | StatelessOptions

export interface Sessions<Data extends SessionData> {
  readonly mode: 'stateful' | 'stateless'
  /** The session named by the request's cookie, or a fresh one. */
  load(request: { readonly headers: Pick<Headers, 'get'> }): Promise<Session<Data>>
  /** Ends every session of `userId` (stateful only, needs `userKey`); resolves with how many ended. */
  destroyAll(userId: string): Promise<number>
}

const seconds = (name: string, value: number): number => {
  if (!Number.isInteger(value) || value <= 0) {
    throw new TypeError(`${name} must be a positive whole number of seconds, received ${value}`)
  }
  return value * 1000
}

const warn = (reason: InvalidReason): void => {
  console.warn(`floodgate: ignored an invalid session cookie (${reason}); started a new session`)
}

/**
 * @example
 * const sessions = createSessions<{ userId: string; views: number }>({ client, userKey: 'userId' })
 * const session = await sessions.load(request)
 * session.set('views', (session.get('views') ?? 0) + 1)
 * return session.applyTo(new Response('ok'))
 */
export const createSessions = <Data extends SessionData = SessionData>(
  options: SessionsOptions<Data>,
): Sessions<Data> => {
  const { idleTimeout = 1800, absoluteTimeout = 7 * 24 * 3600, onInvalid = warn, now = Date.now } = options
  const cookie = cookieSpec(options.cookie)
  const idle = seconds('idleTimeout', idleTimeout)
  const absolute = seconds('absoluteTimeout', absoluteTimeout)
  if (idleTimeout > absoluteTimeout) {
    throw new TypeError(
      `idleTimeout (${idleTimeout} s) must not exceed absoluteTimeout (${absoluteTimeout} s)`,
    )
  }
  if (idleTimeout > MAX_AGE_LIMIT)
    throw new TypeError(`idleTimeout must be at most 400 days (RFC 6265bis Max-Age cap)`)
  let store: Store
  if (options.mode === 'stateless') {
    store = statelessStore({ secrets: checkSecrets(options.secrets), cookie, idle, absolute, now })
  } else if (options.mode === undefined || options.mode === 'stateful') {
    const { client, prefix = 'fg:sess:', userKey } = options
    if (!client || typeof client.eval !== 'function') {
      throw new TypeError("stateful sessions need a `client` (or pass mode: 'stateless' and `secrets`)")
    }
    store = statefulStore({ client, prefix, userKey, idle, absolute, now })
  } else
    throw new TypeError(`mode must be 'stateful' or 'stateless', received ${JSON.stringify(options.mode)}`)

  return {
    mode: store.mode,
    async load(request) {
      const value = readCookie(request.headers.get('cookie'), cookie.name)
      if (value === undefined) return new Session<Data>(store, cookie, onInvalid, undefined, false)
      const loaded = value === '' ? ('malformed' as const) : await store.load(value)
      if (typeof loaded === 'string') {
        onInvalid(loaded)
        // A replaced id means a newer cookie is on its way to (or already in) the browser: leave it.
        return new Session<Data>(store, cookie, onInvalid, undefined, loaded !== 'replaced')
      }
      return new Session<Data>(store, cookie, onInvalid, loaded, false)
    },
    destroyAll(userId) {
      if (typeof userId !== 'string' || userId === '')
        throw new TypeError('destroyAll needs a non-empty user id')
      return store.destroyAll(userId)
    },
  }
}
