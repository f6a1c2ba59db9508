/**
 * The errors floodgate throws. One base class with a stable `code`, and a leaf per kind of failure,
 * so callers can tell "the server said no" (ReplyError) from "we could not reach it"
 * (TransportError, TimeoutError). `name` is a string literal because minifiers rename classes.
 */

export class FloodgateError extends Error {
  override name = 'FloodgateError'
  /** A stable, machine-readable code, e.g. `ERR_CONFIG` or the server's `WRONGTYPE`. */
  readonly code: string

  constructor(message: string, options?: { code?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.code = options?.code ?? 'ERR_FLOODGATE'
  }
}

/** The caller's configuration is wrong: a bad URL, a missing secret, an unsafe cookie setting. */
export class ConfigError extends FloodgateError {
  override name = 'ConfigError'
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, { code: 'ERR_CONFIG', ...options })
  }
}

/** The bytes on the wire do not follow the protocol (RESP or the bridge's JSON). */
export class ProtocolError extends FloodgateError {
  override name = 'ProtocolError'
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, { code: 'ERR_PROTOCOL', ...options })
  }
}

/**
 * The server answered with an error reply. `code` is its first word (`ERR`, `WRONGTYPE`,
 * `NOSCRIPT`, `MOVED`, ...), so callers branch on the code and never on the text after it.
 */
export class ReplyError extends FloodgateError {
  override name = 'ReplyError'
  constructor(message: string, options?: { cause?: unknown }) {
    const space = message.indexOf(' ')
    const code = space === -1 ? message : message.slice(0, space)
    super(message, { code: /^[A-Z][A-Z0-9_-]*$/.test(code) ? code : 'ERR', ...options })
  }
}

/** The server could not be reached, or the connection broke before it answered. */
export class TransportError extends FloodgateError {
  override name = 'TransportError'
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, { code: 'ERR_TRANSPORT', ...options })
  }
}

/** The server did not answer in time. The command may or may not have run. */
export class TimeoutError extends FloodgateError {
  override name = 'TimeoutError'
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, { code: 'ERR_TIMEOUT', ...options })
  }
}

/** A session could not be read or written: a cookie too large, a secret too short. */
export class SessionError extends FloodgateError {
  override name = 'SessionError'
  constructor(message: string, options?: { code?: string; cause?: unknown }) {
    super(message, { code: options?.code ?? 'ERR_SESSION', ...options })
  }
}

/**
 * A value the cache cannot store (`ERR_CACHE_VALUE`: a function, a symbol, a cycle, a class
 * instance; `ERR_CACHE_TOO_LARGE`: past `maxBytes`), or a factory failure remembered by negative
 * caching (`ERR_CACHE_NEGATIVE`).
 */
export class CacheError extends FloodgateError {
  override name = 'CacheError'
  constructor(message: string, options?: { code?: string; cause?: unknown }) {
    super(message, { code: options?.code ?? 'ERR_CACHE', ...options })
  }
}
