/**
 * Whether Valkey answers the bridge, and why not: a wrong password is not an outage, and an
 * operator needs to know which (`WRONGPASS` for user floodgate-ro, `ECONNREFUSED
 * 127.0.0.1:6379`, a TLS certificate error). The state is logged once per change, never with a
 * secret (no message here is built from a URL or a password: the TCP client's messages carry
 * host:port and the server's error code only).
 */
import { ReplyError, TimeoutError } from '../errors.ts'
import type { Logger } from './log.ts'

/** Why Valkey does not answer: its credentials were refused, it cannot be reached, or TLS failed. */
export type FailureKind = 'auth' | 'unreachable' | 'tls' | 'timeout' | 'busy'

export interface UpstreamFailure {
  kind: FailureKind
  /** The first error code found (`WRONGPASS`, `ECONNREFUSED`, `CERT_HAS_EXPIRED`, ...). */
  code: string
  /** For the log: the whole chain of messages (host:port and user name, never a secret). */
  detail: string
  /** For clients and `/readyz`: the kind and code, nothing about the deployment. */
  public: string
}

const AUTH_CODES = new Set(['WRONGPASS', 'NOAUTH', 'NOPERM'])

const codeOf = (error: unknown): string | undefined => {
  if (error instanceof ReplyError) return error.code
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' && !code.startsWith('ERR_') ? code : undefined
}

const isTls = (code: string, message: string): boolean =>
  /CERT|SSL|TLS|SIGNATURE|HOSTNAME|ISSUER/.test(code) || /certificate|TLS|SSL/i.test(message)

/**
 * Names a failure from the cause chain of an upstream error.
 *
 * @example
 * describeFailure(new TransportError('...', { cause: new ReplyError('WRONGPASS invalid ...') }))
 * // { kind: 'auth', code: 'WRONGPASS', ... }
 */
export const describeFailure = (error: unknown): UpstreamFailure => {
  const messages: string[] = []
  let code: string | undefined
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    if (!messages.some((m) => m.includes(e.message))) messages.push(e.message)
    code ??= codeOf(e)
  }
  const detail = messages.join(': ')
  const found = code ?? (error instanceof TimeoutError ? 'TIMEOUT' : 'UNKNOWN')
  const kind: FailureKind = AUTH_CODES.has(found)
    ? 'auth'
    : found === 'BUSY'
      ? 'busy'
      : isTls(found, detail)
        ? 'tls'
        : error instanceof TimeoutError
          ? 'timeout'
          : 'unreachable'
  const text: Record<FailureKind, string> = {
    auth: `Valkey refused the bridge's credentials (${found}); the bridge's operator must fix its Valkey user or password`,
    unreachable: `the bridge cannot reach Valkey (${found}); retry later`,
    tls: `the TLS connection to Valkey failed (${found}); the bridge's operator must fix its TLS setup`,
    timeout: 'Valkey did not answer in time',
    busy: 'Valkey is busy running a script',
  }
  return { kind, code: found, detail, public: text[kind] }
}

/**
 * The last known state, logged when it changes: `upstream down` (warn) with the cause, then
 * `upstream up` (info) once Valkey answers again.
 *
 * @example
 * const state = new UpstreamState(log)
 * state.down(describeFailure(error)) // logs once
 * state.up() // logs 'upstream up'
 */
export class UpstreamState {
  readonly #log: Logger
  #failure: UpstreamFailure | undefined
  /** Whether anything has been observed yet. */
  #known = false
  /** Counts the changes, so a cached readiness answer can tell it is stale. */
  changes = 0

  constructor(log: Logger) {
    this.#log = log
  }

  /** Valkey answered (a reply or an error reply). */
  up(): void {
    if (this.#failure !== undefined) {
      this.#log('info', 'upstream up', { was: this.#failure.kind })
      this.#failure = undefined
      this.changes++
    }
    this.#known = true
  }

  /** Valkey could not be used; logged when the kind or the code differs from the last one. */
  down(failure: UpstreamFailure): void {
    const last = this.#failure
    this.#known = true
    // The same kind and code is the same state, however its message differs (attempt counts,
    // which connection noticed first).
    if (last && last.kind === failure.kind && last.code === failure.code) return
    this.#failure = failure
    this.changes++
    this.#log('warn', 'upstream down', { reason: failure.kind, code: failure.code, cause: failure.detail })
  }

  /** 1 when Valkey answered last, 0 when it failed, and 1 before anything was tried. */
  get gauge(): number {
    return this.#known && this.#failure !== undefined ? 0 : 1
  }
}
