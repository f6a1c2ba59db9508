/**
 * The bridge as a web-standard handler: `bridge.fetch(request)` answers any `Request` with a
 * `Response`, so it runs wherever those exist (Node, Deno, Bun). `bridge.handle(input)` is the same
 * logic over a plain object, which the Node server uses to skip building a `Request` per call.
 */
import { ACCEPTS_HEADER, COMMAND_HEADER, NOT_HEADER_TEXT } from '../client/http/command-header.ts'
import { ConfigError } from '../errors.ts'
import { concatBytes } from '../resp/encode.ts'
import { createAuth, tokenOf } from './auth.ts'
import { type BridgeDashboardOptions, bridgeDashboard } from './dashboard-hook.ts'
import { type Executor, failure, type Outcome, runCommand, runPipeline, runTransaction } from './execute.ts'
import { type LimiterMetricsOptions, limiterMetrics } from './limiter-metrics.ts'
import { type Logger, silentLogger } from './log.ts'
import { Metrics } from './metrics.ts'
import { createPolicy } from './policy.ts'
import { createReadiness } from './readiness.ts'
import {
  BadRequest,
  type BodyLimits,
  type BridgeArg,
  DEFAULT_BODY_LIMITS,
  parseCommand,
  parseCommands,
  readCommand,
  readCommands,
  route,
} from './request.ts'
import { ScriptAliases } from './scripts.ts'
import { DEFAULT_MAX_STREAM_BUFFER, type OpenStream, subscribeStream } from './sse.ts'
import type { Upstream } from './upstream.ts'
import { UpstreamState } from './upstream-state.ts'
import { valkeyMetrics } from './valkey-metrics.ts'

export interface BridgeOptions {
  /** Where commands go; build one with `connectUpstream()`. */
  upstream: Upstream
  /** Tokens that may run every allowed command. */
  tokens: readonly string[]
  /** Tokens that may run read commands only. */
  readOnlyTokens?: readonly string[]
  /** Refused-by-default commands to run anyway, e.g. `['FLUSHDB', 'CLIENT KILL']`. */
  allowCommands?: readonly string[]
  /** Largest request body in bytes (default 10 MiB, as Upstash). */
  maxBody?: number
  /** Most arguments in one request, all its commands together (default 100 000); then 413. */
  maxArgs?: number
  /** Most commands in one pipeline or transaction (default 10 000); then 413. */
  maxCommands?: number
  /** How long one request waits for Valkey, ms (default 5000). */
  upstreamTimeout?: number
  /** Most subscribe streams open at once, each one a Valkey connection (default 1000); then 429. */
  maxStreams?: number
  /**
   * Most bytes one subscribe stream holds for a reader that does not keep up (default 4 MiB); the
   * stream then ends with an `event: error`. Past 64 KiB the bridge stops reading Valkey for it.
   */
  maxStreamBuffer?: number
  logger?: Logger
  /** Log every request (endpoint, status, ms; never its URL, body or token) at `debug`. */
  logRequests?: boolean
  metrics?: Metrics
  /** Renders `/metrics` (default: this process's counters; `--workers` sums every worker's). */
  renderMetrics?: () => Promise<string>
  /** Serve the decisions dashboard at `/dashboard` (any token opens it). Default off. */
  dashboard?: boolean | BridgeDashboardOptions
  /** Adds Valkey's INFO and slow log to `/metrics` under redis_exporter's names (default true). */
  valkeyMetrics?: boolean
  /**
   * Adds the limiters' decisions, read from their analytics in Valkey, to `/metrics` (default
   * true: every prefix that recorded lately, with analytics' default 1-minute bucket).
   */
  limiterMetrics?: boolean | Omit<LimiterMetricsOptions, 'upstream'>
}

/** A request as the Node server hands it over: no `Request` object needed. */
export interface BridgeInput {
  method: string
  /** Path and query, e.g. `/set/k?EX=10`. */
  url: string
  header(name: string): string | null | undefined
  /**
   * The body: its bytes, already read, or its pieces as they arrive (the Node server, which caps
   * them at `maxBody`), parsed as they come.
   */
  body: Uint8Array | AsyncIterable<Uint8Array> | null
}

export interface BridgeOutput {
  status: number
  headers: Record<string, string>
  body: string | ReadableStream<Uint8Array>
}

export interface Bridge {
  /** Answers one web-standard request. */
  fetch(request: Request): Promise<Response>
  /** The same, over a plain input (used by the Node server). */
  handle(input: BridgeInput): Promise<BridgeOutput>
  readonly maxBody: number
  readonly metrics: Metrics
  /**
   * Drains: ends SSE streams, answers requests in flight (new ones too, each closing its
   * connection), then closes the upstream; requests after that get a 503.
   */
  close(): Promise<void>
}

const JSON_TYPE = 'application/json'
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT'])
const NO_BODY = new Uint8Array(0)

/**
 * Creates the bridge handler.
 *
 * @example
 * import { connectUpstream, createBridge } from 'floodgate/bridge'
 * const bridge = createBridge({ upstream: connectUpstream({ url: 'redis://127.0.0.1:6379', connect }), tokens: [token] })
 * Deno.serve((request) => bridge.fetch(request))
 */
export const createBridge = (options: BridgeOptions): Bridge => {
  const maxBody = options.maxBody ?? 10 * 1024 * 1024
  const timeout = options.upstreamTimeout ?? 5000
  const maxStreams = options.maxStreams ?? 1000
  const limits: BodyLimits = {
    maxArgs: options.maxArgs ?? DEFAULT_BODY_LIMITS.maxArgs,
    maxCommands: options.maxCommands ?? DEFAULT_BODY_LIMITS.maxCommands,
  }
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isInteger(value) || value < 1)
      throw new ConfigError(`${name} must be a positive integer, got ${value}`)
  }
  const maxStreamBuffer = options.maxStreamBuffer ?? DEFAULT_MAX_STREAM_BUFFER
  if (!Number.isInteger(maxStreamBuffer) || maxStreamBuffer < 1)
    throw new ConfigError(`maxStreamBuffer must be a positive integer (bytes), got ${maxStreamBuffer}`)
  if (!Number.isInteger(maxBody) || maxBody < 1)
    throw new ConfigError(`maxBody must be a positive integer, got ${maxBody}`)
  if (!Number.isInteger(timeout) || timeout < 1)
    throw new ConfigError(`upstreamTimeout must be a positive integer (ms), got ${timeout}`)
  const access = createAuth({ tokens: options.tokens, readOnlyTokens: options.readOnlyTokens ?? [] })
  const log = options.logger ?? silentLogger
  const metrics = options.metrics ?? new Metrics()
  if (options.valkeyMetrics !== false) {
    const valkey = valkeyMetrics({ upstream: options.upstream, timeout: Math.min(1000, timeout) })
    metrics.collectors.push(valkey.render)
  }
  if (options.limiterMetrics !== false) {
    const given = typeof options.limiterMetrics === 'object' ? options.limiterMetrics : {}
    const limiters = limiterMetrics({
      timeout: Math.min(1000, timeout),
      ...given,
      upstream: options.upstream,
    })
    metrics.collectors.push(limiters.render)
  }
  const ctx: Executor = {
    upstream: options.upstream,
    policy: createPolicy({ allow: options.allowCommands ?? [] }),
    scripts: new ScriptAliases(),
    metrics,
    timeout,
    state: new UpstreamState(log),
  }
  const streams = new Set<OpenStream>()
  const dashboard = options.dashboard
    ? bridgeDashboard(options.upstream, [...options.tokens, ...(options.readOnlyTokens ?? [])], timeout, {
        ...(typeof options.dashboard === 'object' ? options.dashboard : {}),
      })
    : undefined
  const epoch = Date.now().toString(36)
  let syncCounter = 0
  let inFlight = 0
  let draining = false
  let closed = false
  let drained: (() => void) | undefined
  let lastUpstreamLog = 0
  const checkUpstream = createReadiness(ctx.upstream, ctx.state)

  const reply = (status: number, body: string, extra?: Record<string, string>): BridgeOutput => ({
    status,
    headers: extra ? { 'content-type': JSON_TYPE, ...extra } : { 'content-type': JSON_TYPE },
    body,
  })
  const fromOutcome = (outcome: Outcome): BridgeOutput => ({
    status: outcome.status,
    // The token changes on every answered command, so a client's read-your-writes state moves on.
    headers: {
      'content-type': JSON_TYPE,
      'upstash-sync-token': `${epoch}-${++syncCounter}`,
      [ACCEPTS_HEADER]: COMMAND_HEADER,
    },
    body: outcome.body,
  })

  const dispatch = async (input: BridgeInput, r: ReturnType<typeof route>): Promise<BridgeOutput> => {
    if (r.endpoint === 'healthz') {
      return reply(draining ? 503 : 200, JSON.stringify({ status: draining ? 'draining' : 'ok' }))
    }
    if (r.endpoint === 'readyz') {
      if (draining) return reply(503, JSON.stringify({ status: 'draining' }))
      const failure = await checkUpstream()
      return failure
        ? reply(503, JSON.stringify({ status: 'unavailable', reason: failure.kind, error: failure.public }))
        : reply(200, JSON.stringify({ status: 'ready' }))
    }
    if (r.endpoint === 'not-found') {
      return reply(404, JSON.stringify({ error: 'ERR unknown endpoint; see the floodgate bridge README' }))
    }
    const token = tokenOf(input.header('authorization'), r.token)
    if (token === '') {
      return reply(
        401,
        JSON.stringify({
          error: 'NOAUTH no auth token: send Authorization: Bearer <token> (or ?_token=<token>)',
        }),
      )
    }
    const who = access(token)
    if (who === 'none') return reply(401, JSON.stringify({ error: 'WRONGPASS invalid auth token' }))
    if (r.endpoint === 'metrics') {
      const [rendered, collected] = await Promise.all([
        options.renderMetrics ? options.renderMetrics() : metrics.render(),
        metrics.collect(),
        checkUpstream(),
      ])
      const body = `${rendered}# HELP floodgate_upstream_up Whether Valkey answers the bridge with its configured credentials.\n# TYPE floodgate_upstream_up gauge\nfloodgate_upstream_up ${ctx.state.gauge}\n${collected}`
      return { status: 200, headers: { 'content-type': 'text/plain; version=0.0.4' }, body }
    }
    const format = input.header('upstash-response-format')
    if (format && format.toLowerCase() !== 'json') {
      throw new BadRequest(400, 'ERR Upstash-Response-Format: only "json" is supported by this bridge')
    }
    const readOnly = who === 'read-only'
    if (r.endpoint === 'subscribe' || r.endpoint === 'psubscribe') {
      if (streams.size >= maxStreams) {
        throw new BadRequest(
          429,
          `ERR too many subscribe streams open (the limit is ${maxStreams}); retry later`,
        )
      }
      const body = await subscribeStream(
        ctx.upstream,
        r.endpoint,
        r.channel!,
        metrics,
        streams,
        maxStreamBuffer,
      )
      return {
        status: 200,
        headers: {
          'content-type': 'text/event-stream',
          'cache-control': 'no-cache',
          'x-accel-buffering': 'no',
        },
        body,
      }
    }
    const encode = (input.header('upstash-encoding') ?? '').toLowerCase() === 'base64'
    const inHeader = input.header(COMMAND_HEADER)
    if (inHeader != null) {
      const commands = await commandsInHeader(inHeader, r, input, limits)
      if (r.endpoint === 'command') return fromOutcome(await runCommand(ctx, commands[0]!, readOnly, encode))
      const run = r.endpoint === 'pipeline' ? runPipeline : runTransaction
      return fromOutcome(await run(ctx, commands, readOnly, encode))
    }
    if (r.endpoint === 'command' && r.path.length > 0) {
      const args: BridgeArg[] = r.path
      const raw = await bytesOf(input.body)
      if (raw.length > 0) args.push(raw)
      for (const q of r.query) args.push(q)
      return fromOutcome(await runCommand(ctx, args, readOnly, encode))
    }
    const body = input.body ?? NO_BODY
    if (r.endpoint === 'command')
      return fromOutcome(await runCommand(ctx, await readCommand(body, limits), readOnly, encode))
    const commands = await readCommands(body, limits)
    const run = r.endpoint === 'pipeline' ? runPipeline : runTransaction
    return fromOutcome(await run(ctx, commands, readOnly, encode))
  }

  const handle = async (input: BridgeInput): Promise<BridgeOutput> => {
    const started = performance.now()
    let endpoint = 'other'
    let out: BridgeOutput
    inFlight++
    try {
      if (!METHODS.has(input.method)) {
        out = reply(405, JSON.stringify({ error: `ERR method ${input.method} not allowed; use POST` }), {
          allow: 'GET, HEAD, POST, PUT',
        })
      } else {
        const r = route(input.url)
        endpoint = r.endpoint
        if (closed && r.endpoint !== 'healthz' && r.endpoint !== 'readyz') {
          out = reply(503, JSON.stringify({ error: 'ERR the bridge is shutting down; retry' }), {
            connection: 'close',
          })
        } else if (input.body instanceof Uint8Array && input.body.length > maxBody) {
          out = reply(413, JSON.stringify({ error: 'ERR max request size exceeded' }))
        } else {
          // The dashboard reads its (small, form) body whole; commands read theirs as it arrives.
          const page =
            dashboard && input.url.startsWith('/dashboard')
              ? await dashboard({ ...input, body: await bytesOf(input.body) })
              : undefined
          out = page ?? (await dispatch(input, r))
        }
      }
    } catch (error) {
      try {
        out = fromOutcome(failure(error, ctx))
      } catch {
        log('error', 'request failed', { endpoint, error })
        out = reply(500, JSON.stringify({ error: 'ERR internal bridge error; see the bridge log' }))
      }
    } finally {
      if (--inFlight === 0) drained?.()
    }
    const now = performance.now()
    metrics.request(endpoint, out.status, (now - started) / 1000)
    if (options.logRequests) {
      log('debug', 'request', { endpoint, status: out.status, ms: Math.round((now - started) * 100) / 100 })
    }
    // A timeout is logged at most once a second (the metrics count every one); an unavailable
    // upstream is logged by ctx.state once per change, with its cause.
    if (out.status === 504 && now - lastUpstreamLog > 1000) {
      lastUpstreamLog = now
      log('warn', 'upstream timeout', { endpoint })
    }
    // While draining, requests on kept-alive connections are still answered, each one closing
    // its connection, so clients move to another bridge without an error.
    if (draining) out.headers.connection = 'close'
    return out
  }

  return {
    handle,
    maxBody,
    metrics,
    async fetch(request) {
      const url = new URL(request.url)
      let body: Uint8Array | null = null
      try {
        body = await readBody(request, maxBody)
      } catch (error) {
        if (!(error instanceof BadRequest)) throw error
        return new Response(JSON.stringify({ error: error.message }), {
          status: error.status,
          headers: { 'content-type': JSON_TYPE },
        })
      }
      const out = await handle({
        method: request.method,
        url: url.pathname + url.search,
        header: (name) => request.headers.get(name),
        body,
      })
      return new Response(request.method === 'HEAD' ? null : out.body, {
        status: out.status,
        headers: out.headers,
      })
    },
    async close() {
      draining = true
      for (const stream of [...streams]) stream.end()
      if (inFlight > 0) await new Promise<void>((resolve) => (drained = resolve))
      closed = true
      await ctx.upstream.close()
      log('info', 'upstream closed')
    },
  }
}

/**
 * The command (or, on `/pipeline` and `/multi-exec`, the commands) a request carries as JSON in
 * its `Floodgate-Command` header, with no body and no path arguments (see
 * client/http/command-header.ts). The header's size is bounded by the HTTP server (16 KiB in Node).
 */
const commandsInHeader = async (
  header: string,
  r: ReturnType<typeof route>,
  input: BridgeInput,
  limits: BodyLimits,
): Promise<BridgeArg[][]> => {
  const bodyless = input.header('content-length') === '0' || (await bytesOf(input.body)).length === 0
  if (r.path.length > 0 || r.query.length > 0 || !bodyless) {
    throw new BadRequest(
      400,
      'ERR send a command in one place: the Floodgate-Command header, the body or the path',
    )
  }
  // Node reads header bytes as Latin-1: anything past ASCII would come out changed.
  if (NOT_HEADER_TEXT.test(header)) {
    throw new BadRequest(
      400,
      'ERR Floodgate-Command takes printable ASCII: escape other characters in its JSON as \\uXXXX',
    )
  }
  return r.endpoint === 'command' ? [parseCommand(header, limits)] : parseCommands(header, limits)
}

/** All of a body's bytes (a raw body is one argument). */
const bytesOf = async (body: BridgeInput['body']): Promise<Uint8Array> => {
  if (body === null) return NO_BODY
  if (body instanceof Uint8Array) return body
  const chunks: Uint8Array[] = []
  let size = 0
  for await (const chunk of body) {
    chunks.push(chunk)
    size += chunk.length
  }
  return chunks.length === 1 ? chunks[0]! : concatBytes(chunks, size)
}

/** Reads a request body up to `max` bytes; a larger one is a 413 before it is all read. */
const readBody = async (request: Request, max: number): Promise<Uint8Array | null> => {
  if (!request.body) return null
  const declared = Number(request.headers.get('content-length') ?? Number.NaN)
  if (declared > max) throw new BadRequest(413, 'ERR max request size exceeded')
  const reader = request.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.length
    if (size > max) {
      await reader.cancel()
      throw new BadRequest(413, 'ERR max request size exceeded')
    }
    chunks.push(value)
  }
  return chunks.length === 1 ? chunks[0]! : concatBytes(chunks, size)
}
