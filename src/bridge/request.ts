/**
 * Reads what a bridge request asks for: the endpoint from the path, the command(s) from the JSON
 * body or from path segments, raw body and query string, and the `_token` query parameter.
 * Arguments may be JSON strings, numbers or booleans (`@upstash/redis` sends all three); anything
 * else is a 400 that says which argument is wrong.
 */
import { FloodgateError } from '../errors.ts'

import { jsonShape } from './json-shape.ts'

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

const coerce = (value: unknown, where: string): string => {
  if (typeof value === 'string') return value
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new BadRequest(400, `ERR ${where} is not a finite number`)
    return String(value)
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false'
  const kind = value === null ? 'null' : Array.isArray(value) ? 'an array' : `an ${typeof value}`
  throw new BadRequest(400, `ERR ${where} is ${kind}; arguments must be JSON strings, numbers or booleans`)
}

const toCommand = (value: unknown, where: string): string[] => {
  if (!Array.isArray(value) || value.length === 0) {
    throw new BadRequest(400, `ERR ${where} must be a non-empty JSON array like ["SET","key","value"]`)
  }
  const args = new Array<string>(value.length)
  for (let i = 0; i < value.length; i++) args[i] = coerce(value[i], `argument ${i} of ${where}`)
  return args
}

const encoder = new TextEncoder()
const utf8 = new TextDecoder()

const COMMAND_SHAPE = 'a command is a JSON array of strings, numbers or booleans like ["SET","k","v"]'
const PIPELINE_SHAPE = 'the body is a JSON array of commands, each an array of scalars like [["GET","k"]]'

/** How many values a body may hold; what it costs to parse, run and answer grows with these. */
export interface BodyLimits {
  /** Arguments in one request, all its commands together (default 100 000). */
  maxArgs: number
  /** Commands in one pipeline or transaction (default 10 000). */
  maxCommands: number
}

export const DEFAULT_BODY_LIMITS: BodyLimits = { maxArgs: 100_000, maxCommands: 10_000 }

const tooMany = (what: string, count: number, limit: number, flag: string): BadRequest =>
  new BadRequest(
    413,
    `ERR too many ${what} in one request: ${count} (the limit is ${limit}, set by ${flag}); split it into several requests`,
  )

/**
 * Parses a body that may nest `depth` levels: one more than the contract's (1 for a command, 2 for
 * a pipeline), so a misplaced array or object still gets the message naming the argument, while
 * anything deeper, or holding more values than the limits, is refused before `JSON.parse` builds
 * it (see json-shape.ts).
 */
const parse = (body: Uint8Array | string, depth: number, limits: BodyLimits): unknown => {
  const bytes = typeof body === 'string' ? encoder.encode(body) : body
  if (bytes.length === 0) throw new BadRequest(400, 'ERR empty request body: expected a JSON array')
  const { tooDeepAt, values } = jsonShape(bytes, depth + 1)
  if (tooDeepAt !== -1) {
    const shape = depth === 1 ? COMMAND_SHAPE : PIPELINE_SHAPE
    throw new BadRequest(400, `ERR the body nests too deeply (at byte ${tooDeepAt}): ${shape}`)
  }
  // The extra level's values count as arguments too: they are errors, but JSON.parse builds them.
  const args = values[depth]! + values[depth + 1]!
  if (args > limits.maxArgs) throw tooMany('arguments', args, limits.maxArgs, '--max-args')
  if (depth === 2 && values[1]! > limits.maxCommands) {
    throw tooMany('commands', values[1]!, limits.maxCommands, '--max-commands')
  }
  try {
    return JSON.parse(typeof body === 'string' ? body : utf8.decode(body))
  } catch {
    throw new BadRequest(400, 'ERR the request body is not valid JSON')
  }
}

/** One command from a `POST /` JSON body, e.g. `["SET","k","v","EX",100]`. */
export const parseCommand = (body: Uint8Array | string, limits: BodyLimits = DEFAULT_BODY_LIMITS): string[] =>
  toCommand(parse(body, 1, limits), 'the command')

/** The commands of a `/pipeline` or `/multi-exec` body, e.g. `[["INCR","a"],["GET","a"]]`. */
export const parseCommands = (
  body: Uint8Array | string,
  limits: BodyLimits = DEFAULT_BODY_LIMITS,
): string[][] => {
  const value = parse(body, 2, limits)
  if (!Array.isArray(value) || value.length === 0) {
    throw new BadRequest(400, 'ERR the body must be a non-empty JSON array of commands like [["GET","k"]]')
  }
  const commands = new Array<string[]>(value.length)
  for (let i = 0; i < value.length; i++) commands[i] = toCommand(value[i], `command ${i}`)
  return commands
}
