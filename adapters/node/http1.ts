/**
 * What `nodeFetch()` and `nodeStreamFetch()` share of HTTP/1.1 over a `node:net` / `node:tls`
 * socket: where a URL goes, the request head, the connection, the response head, and fetch's
 * error shape (a `TypeError('fetch failed')` whose `cause` carries Node's error and its code).
 */
import { connect as connectTcp, type Socket } from 'node:net'
import { type ConnectionOptions, connect as connectTls } from 'node:tls'

/** TLS options for https:// URLs (e.g. `ca` for a private CA). */
export type TlsOptions = Pick<ConnectionOptions, 'ca' | 'cert' | 'key' | 'rejectUnauthorized' | 'servername'>

export const failed = (cause: unknown): TypeError => new TypeError('fetch failed', { cause })

/** Where requests to a URL go. */
export interface Origin {
  readonly secure: boolean
  /** The host name, an IPv6 address without its brackets. */
  readonly host: string
  readonly port: number
}

/** `url`'s origin, its key (`scheme://host:port`), and its request line with the Host header. */
export const target = (url: string): { origin: Origin; key: string; start: string } => {
  const parsed = new URL(url)
  const secure = parsed.protocol === 'https:'
  return {
    origin: {
      secure,
      host: parsed.hostname.replace(/^\[|\]$/g, ''),
      port: Number(parsed.port) || (secure ? 443 : 80),
    },
    key: `${parsed.protocol}//${parsed.host}`,
    start: `POST ${parsed.pathname}${parsed.search} HTTP/1.1\r\nHost: ${parsed.host}\r\n`,
  }
}

const UNSAFE = /[\r\n\0]/

/** The request head: `start`, then `headers`, then `last` (the closing headers and blank line). */
export const requestHead = (start: string, headers: Record<string, string>, last: string): string => {
  let head = start
  for (const name in headers) {
    const value = headers[name]!
    if (UNSAFE.test(name) || UNSAFE.test(value)) throw new TypeError(`header ${name} holds a line break`)
    head += `${name}: ${value}\r\n`
  }
  return head + last
}

/** A connection to `origin`, Nagle off (a request is written in one piece). */
export const openSocket = (origin: Origin, tls?: TlsOptions): Socket => {
  const { secure, host, port } = origin
  const socket = secure
    ? connectTls({ host, port, servername: host, ALPNProtocols: ['http/1.1'], ...tls })
    : connectTcp({ host, port })
  socket.setNoDelay(true)
  return socket
}

export interface ResponseHead {
  readonly status: number
  /** Names in lowercase; repeated headers joined with ", ". */
  readonly headers: Map<string, string>
  /** Where the body starts in the buffer read. */
  readonly bodyStart: number
}

const CRLFCRLF = Buffer.from('\r\n\r\n')
/** Longest response head read before the response is refused. */
const HEAD_MAX = 64 * 1024

/**
 * The final response head at the start of `buffer` (interim 1xx responses such as 100 Continue or
 * 103 Early Hints skipped), or undefined while it is incomplete. Throws on a malformed status line
 * or a head past 64 KiB.
 */
export const parseHead = (buffer: Buffer): ResponseHead | undefined => {
  let from = 0
  for (;;) {
    const end = buffer.indexOf(CRLFCRLF, from)
    if (end === -1) {
      if (buffer.length - from > HEAD_MAX) throw new Error('the response head is larger than 64 KiB')
      return undefined
    }
    const lines = buffer.toString('latin1', from, end).split('\r\n')
    const status = Number.parseInt(lines[0]!.slice(9, 12), 10)
    if (!(status >= 100 && status < 600))
      throw new Error(`malformed HTTP status line: ${lines[0]!.slice(0, 80)}`)
    from = end + 4
    if (status < 200) continue
    const headers = new Map<string, string>()
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i]!
      const colon = line.indexOf(':')
      if (colon <= 0) continue
      const name = line.slice(0, colon).trim().toLowerCase()
      const value = line.slice(colon + 1).trim()
      const previous = headers.get(name)
      headers.set(name, previous === undefined ? value : `${previous}, ${value}`)
    }
    return { status, headers, bodyStart: from }
  }
}
