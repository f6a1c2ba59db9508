/**
 * Reads what a bridge request asks for: the endpoint from the path, the command(s) from the JSON
 * body or from path segments, raw body and query string, and the `_token` query parameter.
 * Arguments may be JSON strings, numbers or booleans (`@upstash/redis` sends all three); anything
 * else is a 400 that says which argument is wrong.
 */
import { FloodgateError } from '../errors.ts'

import { BodyParser } from './body/parser.ts'

export type Endpoint =
  | 'command'
  | 'pipeline'
  | 'multi-exec'
  | 'subscribe'
  | 'psubscribe'
  | 'healthz'
  | 'readyz'
  | 'metrics'
  | 'not-found'

/** An argument as the upstream gets it: text, or the exact bytes of a raw body. */
export type BridgeArg = string | Uint8Array

export interface Route {
  endpoint: Endpoint
  /** Path-style command (`/set/k/v` -> `['set','k','v']`); empty for `/`. */
  path: string[]
  /** Query arguments, appended after a raw body: `?EX=100` -> `['EX','100']`. */
  query: string[]
  /** `_token` from the query string, if any. */
  token?: string
  /** The channel or pattern of a subscribe stream. */
  channel?: string
}

/** A request the client got wrong; `status` is the HTTP status to answer with. */
export class BadRequest extends FloodgateError {
  override name = 'BadRequest'
  readonly status: number
  constructor(status: number, message: string) {
    super(message, { code: 'ERR_BAD_REQUEST' })
    this.status = status
  }
}

const decode = (segment: string): string => {
  try {
    return decodeURIComponent(segment)
  } catch {
    throw new BadRequest(400, 'ERR malformed percent-encoding in the URL')
  }
}

// NOTE: a Map, not an object literal: `/valueOf/x` is a command, not Object.prototype.valueOf.
const RESERVED: ReadonlyMap<string, Endpoint> = new Map([
  ['pipeline', 'pipeline'],
  ['multi-exec', 'multi-exec'],
  ['healthz', 'healthz'],
  ['readyz', 'readyz'],
  ['metrics', 'metrics'],
])

/** Splits `/path?query` into the endpoint and its arguments. */
export const route = (url: string): Route => {
  const q = url.indexOf('?')
  const pathname = q === -1 ? url : url.slice(0, q)
  if (pathname === '/' && q === -1) return { endpoint: 'command', path: [], query: [] }
  const segments = pathname.split('/').slice(1)
  if (segments[segments.length - 1] === '' && segments.length > 1) segments.pop()
  const first = segments[0] ?? ''
  let token: string | undefined
  const query: string[] = []
  if (q !== -1) {
    for (const pair of url.slice(q + 1).split('&')) {
      if (pair === '') continue
      const eq = pair.indexOf('=')
      const key = decode((eq === -1 ? pair : pair.slice(0, eq)).replace(/\+/g, ' '))
      const value = eq === -1 ? undefined : decode(pair.slice(eq + 1).replace(/\+/g, ' '))
      if (key === '_token') token = value ?? ''
      else query.push(...(value === undefined ? [key] : [key, value]))
    }
  }
  const make = (endpoint: Endpoint, path: string[] = [], channel?: string): Route => {
    const r: Route = { endpoint, path, query }
    if (token !== undefined) r.token = token
    if (channel !== undefined) r.channel = channel
    return r
  }
  const reserved = RESERVED.get(first)
  if (reserved) return make(segments.length === 1 ? reserved : 'not-found')
  if (first === 'subscribe' || first === 'psubscribe') {
    const channel = segments.slice(1).map(decode).join('/')
    return channel ? make(first, [], channel) : make('not-found')
  }
  if (first === '') return make(segments.length === 1 ? 'command' : 'not-found')
  return make('command', segments.map(decode))
}

/** How many values a body may hold; what it costs to parse, run and answer grows with these. */
export interface BodyLimits {
  /** Arguments in one request, all its commands together (default 100 000). */
  maxArgs: number
  /** Commands in one pipeline or transaction (default 10 000). */
  maxCommands: number
}

export const DEFAULT_BODY_LIMITS: BodyLimits = { maxArgs: 100_000, maxCommands: 10_000 }

const encoder = new TextEncoder()

/** How much of the body is parsed between two returns to the event loop. */
const PIECE = 16 * 1024

const immediate: (run: () => void) => void =
  (globalThis as { setImmediate?: (run: () => void) => void }).setImmediate ??
  ((run) => void setTimeout(run, 0))
const pause = () => new Promise<void>((resolve) => immediate(resolve))

const result = (parser: BodyParser): BridgeArg[][] => {
  const out = parser.end()
  if (!Array.isArray(out)) throw new BadRequest(out.status, out.message)
  return out
}

/**
 * Parses a body that may nest one level deeper than the contract (1 for a command, 2 for a
 * pipeline), so a misplaced array or object still gets the message naming the argument, while
 * anything deeper, or holding more values than the limits, is refused without being built (see
 * body/parser.ts). It returns to the event loop every 16 KiB, so a body of any size never holds
 * it for long.
 */
const parse = async (
  body: Uint8Array | AsyncIterable<Uint8Array>,
  depth: 1 | 2,
  limits: BodyLimits,
): Promise<BridgeArg[][]> => {
  const parser = new BodyParser(depth, limits)
  if (body instanceof Uint8Array) {
    for (let i = 0; i < body.length; i += PIECE) {
      // A large body starts on a turn of its own too: receiving it was work enough for one.
      if (i > 0 || body.length > 16 * PIECE) await pause()
      parser.write(body.subarray(i, i + PIECE))
    }
  } else {
    // Pieces as they arrive: each is parsed in 16 KiB parts, the event loop served in between.
    for await (const chunk of body) {
      for (let i = 0; i < chunk.length; i += PIECE) {
        if (i > 0) await pause()
        parser.write(chunk.subarray(i, i + PIECE))
      }
    }
  }
  return result(parser)
}

const parseNow = (body: Uint8Array | string, depth: 1 | 2, limits: BodyLimits): BridgeArg[][] => {
  const parser = new BodyParser(depth, limits)
  parser.write(typeof body === 'string' ? encoder.encode(body) : body)
  return result(parser)
}

/**
 * One command from a `POST /` JSON body, e.g. `["SET","k","v","EX",100]`, parsed in one go.
 * Long strings past the first two arguments come back as their UTF-8 bytes.
 *
 * @example
 * parseCommand('["SET","k","v","EX",100]') // ['SET', 'k', 'v', 'EX', '100']
 */
export const parseCommand = (
  body: Uint8Array | string,
  limits: BodyLimits = DEFAULT_BODY_LIMITS,
): BridgeArg[] => parseNow(body, 1, limits)[0]!

/** The commands of a `/pipeline` or `/multi-exec` body, e.g. `[["INCR","a"],["GET","a"]]`, in one go. */
export const parseCommands = (
  body: Uint8Array | string,
  limits: BodyLimits = DEFAULT_BODY_LIMITS,
): BridgeArg[][] => parseNow(body, 2, limits)

/** `parseCommand`, returning to the event loop every 16 KiB of body; the body may still be arriving. */
export const readCommand = async (
  body: Uint8Array | AsyncIterable<Uint8Array>,
  limits: BodyLimits,
): Promise<BridgeArg[]> => (await parse(body, 1, limits))[0]!

/** `parseCommands`, returning to the event loop every 16 KiB of body; the body may still be arriving. */
export const readCommands = (
  body: Uint8Array | AsyncIterable<Uint8Array>,
  limits: BodyLimits,
): Promise<BridgeArg[][]> => parse(body, 2, limits)
