/**
 * One Upstash REST request: POST a command to `/` or a batch to `/pipeline`, map the answer to
 * outcomes or to a typed error, carry the `upstash-sync-token`, and retry only where a retry cannot
 * run a write twice (see `retryable`).
 *
 * To floodgate's bridge, once it has said it reads them, short requests carry their JSON in the
 * `Floodgate-Command` header instead of a body (see command-header.ts).
 */
import {
  ConfigError,
  type FloodgateError,
  ProtocolError,
  ReplyError,
  TimeoutError,
  TransportError,
} from '../../errors.ts'
import { type EncodedCommand, isRaw } from './codec.ts'
import { ACCEPTS_HEADER, asHeader, COMMAND_HEADER } from './command-header.ts'
import { isReadOnly } from './read-only.ts'

/** The part of a `fetch` Response the transport reads. The global `Response` satisfies it. */
export interface FetchResponseLike {
  readonly status: number
  readonly headers: { get(name: string): string | null }
  text(): Promise<string>
}

/** What the transport passes to `fetch`. Any `RequestInit` consumer accepts it. */
export interface FetchInitLike {
  method: 'POST'
  headers: Record<string, string>
  /** None when the command travels in the `Floodgate-Command` header. */
  body?: string | Uint8Array
  signal: AbortSignal
}

/**
 * A `fetch`-compatible function: the global one, or a faster one such as `floodgate/node`'s. It
 * may say how many commands per request suit it (`maxPipeline`), the HTTP client's default then.
 */
export type FetchLike = ((url: string, init: FetchInitLike) => Promise<FetchResponseLike>) & {
  readonly maxPipeline?: number
}

/** One command's answer, as the bridge sends it. */
export type Outcome = { result: unknown } | { error: string }

/** Everything fixed about where and how requests go, plus the sync token that moves with them. */
export interface Endpoint {
  /** The base URL without a trailing slash. */
  readonly url: string
  /** `scheme://host:port`, the only part of the URL that error messages show. */
  readonly origin: string
  readonly fetch: FetchLike
  readonly headers: Readonly<Record<string, string>>
  readonly readYourWrites: boolean
  readonly retries: number
  readonly backoff: (attempt: number) => number
  syncToken: string | undefined
  /** The server has said it reads a command from the `Floodgate-Command` header. */
  commandHeader: boolean
  /**
   * The most characters of JSON that go in that header: 8,000 at first, so the line fits the
   * 8 KiB nginx and Apache take by default (a limiter's 50 decisions in flight are about 5,500);
   * lowered below any longer header a server in the way refused.
   */
  headerCap: number
}

// Codes Node (and undici) give a connection that never opened: no byte of the request left us.
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN'])

/** The error codes down `error`'s cause chain, outermost first (fetch's own error has none). */
const codesOf = (error: unknown): string[] => {
  const codes: string[] = []
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as Error).cause, depth++) {
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string') codes.push(code)
  }
  return codes
}

const errorText = (body: string): string | undefined => {
  try {
    const parsed = JSON.parse(body) as unknown
    if (parsed && typeof parsed === 'object' && typeof (parsed as { error?: unknown }).error === 'string') {
      return (parsed as { error: string }).error
    }
  } catch {}
  return undefined
}

const asOutcome = (value: unknown, origin: string): Outcome => {
  if (value && typeof value === 'object') {
    if ('result' in value) return value as Outcome
    if (typeof (value as { error?: unknown }).error === 'string') return value as Outcome
  }
  throw new ProtocolError(
    `${origin} answered without "result" or "error": not an Upstash-compatible endpoint`,
  )
}

/** Reads a 2xx body into one outcome per command, or throws the typed error a status stands for. */
const readResponse = async (
  endpoint: Endpoint,
  status: number,
  body: string,
  count: number,
  single: boolean,
) => {
  const { origin } = endpoint
  if (status >= 200 && status < 300) {
    let parsed: unknown
    try {
      parsed = JSON.parse(body)
    } catch (error) {
      throw new ProtocolError(`${origin} answered HTTP ${status} with a body that is not JSON`, {
        cause: error,
      })
    }
    if (single) return [asOutcome(parsed, origin)]
    if (!Array.isArray(parsed) || parsed.length !== count) {
      throw new ProtocolError(
        `${origin} answered a pipeline of ${count} with something other than ${count} results`,
      )
    }
    return parsed.map((item) => asOutcome(item, origin))
  }
  // The server's text goes into no message on 401: a misconfigured proxy may echo the credentials.
  if (status === 401) {
    const sent = endpoint.headers.Authorization ?? endpoint.headers.authorization
    throw new ConfigError(
      `${origin} ${sent === undefined ? 'needs a token and none was given' : 'refused the token'} (HTTP 401): pass the bridge's token (or the Upstash REST token) as the token option, e.g. from FLOODGATE_TOKEN`,
    )
  }
  const text = errorText(body)
  if (status === 504)
    throw new TimeoutError(`${origin} timed out waiting for Valkey (HTTP 504): ${text ?? ''}`)
  if (status >= 500) throw new TransportError(`${origin} answered HTTP ${status}: ${text ?? 'no JSON error'}`)
  if (text !== undefined) throw new ReplyError(text)
  if (status === 404)
    throw new ConfigError(`${origin} has no Upstash REST endpoint here (HTTP 404): check the url`)
  throw new ProtocolError(`${origin} answered HTTP ${status} without a JSON error`)
}

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    signal.addEventListener('abort', done, { once: true })
  })

/**
 * Sends `commands` (already JSON arguments) in one request, retrying a failed attempt only when
 * (a) the connection was refused or the host not found, so nothing was sent, or (b) every command
 * only reads, and the failure is a network error or a 5xx. A reply error, a 4xx, a malformed body or
 * a timeout is never retried. Resolves with one outcome per command.
 */
export const exchange = async (
  endpoint: Endpoint,
  commands: readonly EncodedCommand[],
  single: boolean,
  signal: AbortSignal,
): Promise<Outcome[]> => {
  const first = commands[0]!
  let body: string | Uint8Array
  let url: string
  let headers = endpoint.headers
  if (isRaw(first)) {
    // One binary argument: path-style, the bytes as the raw body (see RawCommand).
    body = first.body
    url = endpoint.url + first.path
    headers = { ...headers, 'Content-Type': 'application/octet-stream' }
  } else {
    body = JSON.stringify(single ? first : commands)
    url = single ? endpoint.url : `${endpoint.url}/pipeline`
  }
  let readOnly: boolean | undefined
  const post = (inHeader: string | undefined) => {
    let sent = headers as Record<string, string>
    if (endpoint.readYourWrites && endpoint.syncToken)
      sent = { ...sent, 'upstash-sync-token': endpoint.syncToken }
    if (inHeader === undefined) return endpoint.fetch(url, { method: 'POST', headers: sent, body, signal })
    return endpoint.fetch(url, {
      method: 'POST',
      headers: { ...sent, [COMMAND_HEADER]: inHeader },
      signal,
    })
  }
  for (let attempt = 0; ; attempt++) {
    let failure: FloodgateError
    let safe = false
    try {
      const inHeader =
        endpoint.commandHeader && typeof body === 'string' ? asHeader(body, endpoint.headerCap) : undefined
      let response = await post(inHeader)
      if (
        !endpoint.commandHeader ||
        (inHeader !== undefined && (response.status === 400 || response.status === 431))
      ) {
        const accepts = response.headers.get(ACCEPTS_HEADER)?.includes(COMMAND_HEADER) ?? false
        if (inHeader !== undefined && !accepts) {
          // Refused by a server that does not read the header (an older bridge behind the same
          // address, or a proxy that refuses long headers): nothing ran. Send the body, and put
          // no header this long in the way again (a proxy refusing less than 1 KiB is no concern).
          await response.text()
          endpoint.headerCap = Math.max(1024, Math.min(endpoint.headerCap, inHeader.length - 1))
          response = await post(undefined)
        }
        endpoint.commandHeader = accepts
      }
      const text = await response.text()
      if (endpoint.readYourWrites) {
        const token = response.headers.get('upstash-sync-token')
        if (token) endpoint.syncToken = token
      }
      return await readResponse(endpoint, response.status, text, commands.length, single)
    } catch (error) {
      if (signal.aborted) throw signal.reason
      if (error instanceof TransportError || error instanceof TimeoutError) failure = error
      else if (error instanceof ProtocolError || error instanceof ReplyError || error instanceof ConfigError)
        throw error
      else {
        const codes = codesOf(error)
        safe = codes.some((code) => NOT_SENT.has(code))
        // The deepest code is the reason (`ECONNREFUSED`); fetch's own message says only `fetch failed`.
        const reason = codes.length > 0 ? ` (${codes[codes.length - 1]})` : ''
        failure = new TransportError(
          `could not reach ${endpoint.origin}${reason}${safe ? '' : ', the request may have been sent'}: ${(error as Error)?.message ?? error}`,
          { cause: error },
        )
      }
    }
    readOnly ??= commands.every((command) => isReadOnly(isRaw(command) ? [command.name] : command))
    if (attempt >= endpoint.retries || !(safe || readOnly)) throw failure
    await sleep(endpoint.backoff(attempt), signal)
    if (signal.aborted) throw signal.reason
  }
}
