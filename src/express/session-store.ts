/**
 * `SessionStore`: an express-session store on a floodgate Client, the replacement for
 * connect-redis. The same options (`prefix` `'sess:'`, `ttl`, `disableTTL`, `disableTouch`,
 * `serializer`) and, by default, the same keys and JSON values, so an app switches by changing the
 * store line and keeps its users signed in. Every call is one round trip. With `fields: true` a
 * session is a hash written field by field: parallel requests stop overwriting each other.
 * `ids`, `all`, `length` and `clear` SCAN the prefix, as connect-redis does.
 *
 * express-session is an optional peer: its `Store` class joins this class's prototype chain when
 * the first store is built (from the app's own copy), so importing floodgate without it works.
 */
import { EventEmitter } from 'node:events'
import { createRequire } from 'node:module'
import type { Client } from '../client/types.ts'
import { ConfigError } from '../errors.ts'
import { saveFields } from './session-scripts.ts'

/** What express-session hands a store: the session's data, with its cookie. */
export interface SessionLike {
  cookie?: { expires?: Date | string | null; maxAge?: number | null }
  [key: string]: unknown
}

type Callback<T = unknown> = (error?: unknown, value?: T) => void

export interface SessionStoreOptions {
  client: Client
  /** Key prefix; default `'sess:'`, as connect-redis. */
  prefix?: string
  /** Seconds a session lives when its cookie has no expiry; a number or a function of the session. Default 86,400. */
  ttl?: number | ((session: SessionLike) => number)
  /** Keep sessions without an expiry. */
  disableTTL?: boolean
  /** Do nothing on `touch` (sessions then expire from their last save). */
  disableTouch?: boolean
  /** How values are written; default JSON. Not used with `fields`. */
  serializer?: { parse(text: string): unknown; stringify(value: unknown): string }
  /** Store each top-level property as a hash field and write only the changed ones. */
  fields?: boolean
  /** express-session's module, if floodgate should not load it itself (e.g. a bundled copy). */
  expressSession?: { Store: new () => object }
}

interface StoreBase {
  createSession(req: object, session: SessionLike): SessionLike
}

let base: object | undefined
/** express-session's `Store.prototype`, once: this class's methods then sit on top of it. */
const adoptStore = (given: SessionStoreOptions['expressSession']): void => {
  if (base) return
  let module = given
  if (!module) {
    try {
      module = createRequire(import.meta.url)('express-session') as { Store: new () => object }
    } catch (cause) {
      throw new ConfigError(
        'SessionStore plugs into express-session, which is not installed: npm install express-session (or pass `expressSession`)',
        { cause },
      )
    }
  }
  const prototype: object = module.Store.prototype
  Object.setPrototypeOf(SessionStore.prototype, prototype)
  base = prototype
}

const toMs = (expires: Date | string | null | undefined): number | undefined =>
  expires ? new Date(expires).getTime() - Date.now() : undefined

/**
 * @example
 * import { SessionStore } from 'floodgate/express/stores' // was: import { RedisStore } from 'connect-redis'
 * app.use(session({ store: new SessionStore({ client }), secret, resave: false, saveUninitialized: false }))
 */
export class SessionStore extends EventEmitter {
  readonly client: Client
  readonly prefix: string
  readonly #options: SessionStoreOptions
  /** Fields as loaded, per session object, so a field-level save writes only what changed. */
  readonly #loaded = new WeakMap<object, Map<string, string>>()

  constructor(options: SessionStoreOptions) {
    super()
    if (!options?.client || typeof options.client.send !== 'function') {
      throw new TypeError('SessionStore needs a floodgate `client` (createClient(url, { connect }))')
    }
    adoptStore(options.expressSession)
    this.client = options.client
    this.prefix = options.prefix ?? 'sess:'
    this.#options = options
  }

  /** Ms a session should live, or undefined for no expiry; ≤ 0 means it has already ended. */
  #ttl(session: SessionLike): number | undefined {
    const { ttl = 86_400, disableTTL } = this.#options
    if (disableTTL) return undefined
    const fromCookie = toMs(session.cookie?.expires)
    if (fromCookie !== undefined) return Math.ceil(fromCookie)
    return (typeof ttl === 'function' ? ttl(session) : ttl) * 1000
  }

  #run<T>(call: Promise<T>, callback: Callback<T> | undefined): Promise<T> {
    call.then(
      (value) => callback?.(null, value),
      (error: unknown) => callback?.(error),
    )
    return call
  }

  get(sid: string, callback?: Callback<SessionLike | null>): Promise<SessionLike | null> {
    return this.#run(this.#get(sid), callback)
  }

  async #get(sid: string): Promise<SessionLike | null> {
    const key = this.prefix + sid
    if (!this.#options.fields) {
      const text = await this.client.send(['GET', key])
      if (typeof text !== 'string') return null
      return (this.#options.serializer?.parse ?? JSON.parse)(text) as SessionLike
    }
    const flat = (await this.client.send(['HGETALL', key])) as string[]
    if (flat.length === 0) return null
    const session: SessionLike = {}
    const loaded = new Map<string, string>()
    for (let i = 0; i + 1 < flat.length; i += 2) {
      loaded.set(flat[i]!, flat[i + 1]!)
      session[flat[i]!] = JSON.parse(flat[i + 1]!)
    }
    this.#loaded.set(session, loaded)
    return session
  }

  /** express-session turns the loaded data into its Session object: the loaded fields follow it. */
  createSession(req: object, data: SessionLike): SessionLike {
    const created = (base as StoreBase).createSession.call(this, req, data)
    const loaded = this.#loaded.get(data)
    if (loaded) this.#loaded.set(created, loaded)
    return created
  }

  set(sid: string, session: SessionLike, callback?: Callback<void>): Promise<void> {
    return this.#run(this.#set(sid, session), callback)
  }

  async #set(sid: string, session: SessionLike): Promise<void> {
    const key = this.prefix + sid
    const ttl = this.#ttl(session)
    if (ttl !== undefined && ttl <= 0) return this.#destroy(sid)
    if (!this.#options.fields) {
      const text = (this.#options.serializer?.stringify ?? JSON.stringify)(session)
      await this.client.send(ttl === undefined ? ['SET', key, text] : ['SET', key, text, 'PX', ttl])
      return
    }
    const loaded = this.#loaded.get(session)
    const now = new Map<string, string>()
    for (const [name, value] of Object.entries(session)) {
      const json = JSON.stringify(value)
      if (json !== undefined) now.set(name, json)
    }
    const set: string[] = []
    for (const [name, json] of now) if (loaded?.get(name) !== json) set.push(name, json)
    const deleted = loaded ? [...loaded.keys()].filter((name) => !now.has(name)) : []
    await this.client.eval(saveFields, [key], [ttl ?? 0, loaded ? 0 : 1, set.length / 2, ...set, ...deleted])
    this.#loaded.set(session, now)
  }

  touch(sid: string, session: SessionLike, callback?: Callback<void>): Promise<void> {
    return this.#run(this.#touch(sid, session), callback)
  }

  async #touch(sid: string, session: SessionLike): Promise<void> {
    if (this.#options.disableTouch || this.#options.disableTTL) return
    const ttl = this.#ttl(session)
    if (ttl !== undefined && ttl > 0) await this.client.send(['PEXPIRE', this.prefix + sid, ttl])
  }

  /** Every live session id (SCAN over the prefix; on a Cluster, the node the client reaches). */
  ids(callback?: Callback<string[]>): Promise<string[]> {
    return this.#run(
      this.#keys().then((keys) => keys.map((key) => key.slice(this.prefix.length))),
      callback,
    )
  }

  all(callback?: Callback<SessionLike[]>): Promise<SessionLike[]> {
    const sessions = this.ids().then(async (ids) => {
      const found = await Promise.all(ids.map((id) => this.#get(id)))
      return found.flatMap((session, i) => (session ? [{ id: ids[i]!, ...session }] : []))
    })
    return this.#run(sessions, callback)
  }

  length(callback?: Callback<number>): Promise<number> {
    return this.#run(
      this.#keys().then((keys) => keys.length),
      callback,
    )
  }

  clear(callback?: Callback<void>): Promise<void> {
    const cleared = this.#keys().then(async (keys) => {
      if (keys.length > 0) await this.client.pipeline(keys.map((key) => ['DEL', key]))
    })
    return this.#run(cleared, callback)
  }

  async #keys(): Promise<string[]> {
    const keys: string[] = []
    // `*`, `?`, `[` and `\\` in the prefix are matched literally.
    const pattern = `${this.prefix.replace(/[*?[\]\\]/g, (c) => `\\${c}`)}*`
    let cursor = '0'
    do {
      const [next, batch] = (await this.client.send(['SCAN', cursor, 'MATCH', pattern, 'COUNT', 100])) as [
        string,
        string[],
      ]
      cursor = next
      keys.push(...batch)
    } while (cursor !== '0')
    return [...new Set(keys)]
  }

  destroy(sid: string, callback?: Callback<void>): Promise<void> {
    return this.#run(this.#destroy(sid), callback)
  }

  async #destroy(sid: string): Promise<void> {
    await this.client.send(['DEL', this.prefix + sid])
  }
}
