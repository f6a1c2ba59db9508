/**
 * The seam between a `Session` and where its data lives. Two stores implement it: stateful
 * (an opaque id in the cookie, the data in Valkey) and stateless (the data sealed in the cookie).
 * The session tracks changes field by field; a store turns them into one write.
 */

/** Why a session cookie was not accepted; passed to `onInvalid`. */
export type InvalidReason =
  /** Not something this library issued: wrong length, bad characters, not a JWE. */
  | 'malformed'
  /** A JWE whose authentication failed: edited, truncated, or sealed with another algorithm. */
  | 'tampered'
  /** A JWE sealed under a key id none of the configured secrets has. */
  | 'unknown-key'
  /** The idle or absolute lifetime is over. */
  | 'expired'
  /** A well-formed id that names no live session (unknown, idled out, or destroyed). */
  | 'not-found'
  /**
   * An id that `regenerate()` replaced moments ago: a request that raced the change. The cookie
   * is left alone so the response does not clear the new one.
   */
  | 'replaced'
  /**
   * On `commit()`: the session was destroyed (or replaced) by another request while this one used
   * it. Its changes are dropped, not written into a resurrected session; the cookie is left alone.
   */
  | 'revoked'

/** Field name -> the field's value as JSON text. */
export type Fields = Map<string, string>

/** A live session as its cookie names it: read on load, or just written by a commit. */
export interface Loaded {
  /** The cookie value. */
  readonly value: string
  readonly fields: Fields
  /** Epoch ms when the absolute lifetime ends; never moves. */
  readonly absoluteAt: number
  /** Seconds the cookie should live from now (the idle window, capped by the absolute lifetime). */
  readonly maxAge: number
  /** The cookie must be re-sent even if nothing changed (idle window moved past half, key rotated). */
  readonly refresh: boolean
  /** The store's own handle on it (stateful: the SHA-256 of the id, which names the key). */
  readonly ref?: string
}

export interface Store {
  readonly mode: 'stateful' | 'stateless'
  load(value: string): Promise<Loaded | InvalidReason>
  /**
   * A new session holding `fields`, replacing (and deleting) `previous` when given; `undefined`
   * when `previous` no longer exists (it was revoked): nothing is stored then.
   */
  create(fields: Fields, previous: Loaded | undefined): Promise<Loaded | undefined>
  /** Writes the changes; `undefined` when the session no longer exists (it was revoked). */
  update(loaded: Loaded, fields: Fields, set: Fields, deleted: readonly string[]): Promise<Loaded | undefined>
  /** Re-issues the cookie of an unchanged session; `undefined` when it no longer exists. */
  touch(loaded: Loaded, fields: Fields): Promise<Loaded | undefined>
  destroy(loaded: Loaded): Promise<void>
  destroyAll(userId: string): Promise<number>
}
