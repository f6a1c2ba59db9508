/**
 * One request's session: typed reads and writes, `regenerate()`, `destroy()`, and `commit()`,
 * which writes what changed (compared field by field as JSON, so in-place edits of an object count
 * too) and returns the `Set-Cookie` header for the response. The cookie is re-sent only when the
 * data or the id changed, or the idle window moved past half.
 */
import { type CookieSpec, serializeCookie } from './cookie.ts'
import type { Fields, InvalidReason, Loaded, Store } from './store.ts'

/** The shape of a session's data: JSON-serialisable values under string keys. */
export type SessionData = Record<string, unknown>

const toJson = (key: string, value: unknown): string => {
  const json = JSON.stringify(value)
  if (json === undefined) throw new TypeError(`session value for "${key}" is not JSON-serialisable`)
  return json
}

/**
 * One request's session, as `sessions.load(request)` returns it (not built directly).
 *
 * @example
 * const session = await sessions.load(request)
 * session.set('views', (session.get('views') ?? 0) + 1)
 * return session.applyTo(new Response('hello'))
 */
export class Session<Data extends SessionData = SessionData> {
  readonly #store: Store
  readonly #cookie: CookieSpec
  readonly #onInvalid: (reason: InvalidReason) => void
  #loaded: Loaded | undefined
  /** A cookie came in that named no live session: clear it unless a new one replaces it. */
  #stale: boolean
  /** Values read or set in this request. */
  #values = new Map<string, unknown>()
  /** Values as stored (JSON), parsed on first read: most requests touch few fields. */
  #raw: Fields = new Map()
  #regenerate = false
  #destroy = false

  constructor(
    store: Store,
    cookie: CookieSpec,
    onInvalid: (reason: InvalidReason) => void,
    loaded: Loaded | undefined,
    stale: boolean,
  ) {
    this.#store = store
    this.#cookie = cookie
    this.#onInvalid = onInvalid
    this.#stale = stale
    this.#adopt(loaded)
  }

  #adopt(loaded: Loaded | undefined): void {
    this.#loaded = loaded
    this.#values = new Map()
    this.#raw = new Map(loaded?.fields)
  }

  /** `true` until the session has been stored: no valid cookie came in, or it was just destroyed. */
  get isNew(): boolean {
    return this.#loaded === undefined || this.#destroy
  }

  get<K extends keyof Data & string>(key: K): Data[K] | undefined {
    const json = this.#raw.get(key)
    if (json !== undefined) {
      this.#raw.delete(key)
      this.#values.set(key, JSON.parse(json))
    }
    return this.#values.get(key) as Data[K] | undefined
  }

  /** Sets a value (JSON-serialisable; `undefined` deletes). Written on `commit()` only if it changed. */
  set<K extends keyof Data & string>(key: K, value: Data[K]): void {
    if (value === undefined) {
      this.delete(key)
      return
    }
    toJson(key, value)
    this.#raw.delete(key)
    this.#values.set(key, value)
  }

  delete(key: keyof Data & string): void {
    this.#raw.delete(key)
    this.#values.delete(key)
  }

  /** A shallow copy of all the data. */
  all(): Partial<Data> {
    for (const key of [...this.#raw.keys()]) this.get(key)
    return Object.fromEntries(this.#values) as Partial<Data>
  }

  /**
   * Moves the data to a new id and deletes the old one on `commit()`; call it on login and on any
   * privilege change (session fixation). The absolute lifetime starts again.
   */
  regenerate(): void {
    this.#regenerate = true
  }

  /** Deletes the session on `commit()` and clears the cookie. Data set afterwards starts a new one. */
  destroy(): void {
    this.#destroy = true
    this.#values.clear()
    this.#raw.clear()
  }

  #fields(): Fields {
    const fields: Fields = new Map(this.#raw)
    for (const [key, value] of this.#values) fields.set(key, toJson(key, value))
    return fields
  }

  /** Writes what changed (one round trip at most) and returns the headers to add to the response. */
  async commit(): Promise<Headers> {
    const fields = this.#fields()
    const loaded = this.#loaded
    const store = this.#store
    let next: Loaded | undefined
    let clear = false
    if (loaded && (this.#destroy || this.#regenerate || fields.size === 0)) {
      if (fields.size > 0) {
        next = await store.create(fields, loaded)
        // Destroyed by another request (or expired) meanwhile: not brought back under a new id.
        if (!next) this.#onInvalid('revoked')
      } else if (this.#destroy || this.#regenerate || loaded.fields.size > 0) {
        await store.destroy(loaded)
        clear = true
      } else next = loaded.refresh ? await store.touch(loaded, fields) : loaded
    } else if (loaded) {
      const set: Fields = new Map()
      for (const [key, json] of fields) if (loaded.fields.get(key) !== json) set.set(key, json)
      const deleted = [...loaded.fields.keys()].filter((key) => !fields.has(key))
      const changed = set.size > 0 || deleted.length > 0
      if (changed) next = await store.update(loaded, fields, set, deleted)
      else next = loaded.refresh ? await store.touch(loaded, fields) : loaded
      // Not cleared: the browser may already hold a newer cookie (a racing regenerate()), and a
      // dead one is cleared by the next request anyway.
      if (!next) this.#onInvalid('revoked')
    } else if (fields.size > 0) {
      next = await store.create(fields, undefined)
    } else clear = this.#stale

    const headers = new Headers()
    if (next && next !== loaded)
      headers.append('Set-Cookie', serializeCookie(this.#cookie, next.value, next.maxAge))
    else if (clear) headers.append('Set-Cookie', serializeCookie(this.#cookie, '', 0))
    this.#stale = false
    this.#regenerate = false
    this.#destroy = false
    // The values already are what `next` holds; only a session that ended needs emptying.
    if (next) this.#loaded = next
    else this.#adopt(undefined)
    return headers
  }

  /**
   * Commits and returns `response` with the `Set-Cookie` header added (a copy when its headers are
   * immutable, as on a `fetch()` result or `Response.redirect()`).
   */
  async applyTo(response: Response): Promise<Response> {
    const headers = await this.commit()
    if (!headers.has('Set-Cookie')) return response
    let target = response
    try {
      for (const value of headers.getSetCookie()) target.headers.append('Set-Cookie', value)
    } catch {
      target = new Response(response.body, response)
      for (const value of headers.getSetCookie()) target.headers.append('Set-Cookie', value)
    }
    return target
  }
}
