/**
 * A user's existing `@upstash/redis` `Redis` instance as a floodgate `Client`, so an app can adopt
 * floodgate without a second set of credentials. It sends through the instance's own requester
 * (its URL, token, retry policy, fetch options and sync token), bypassing the instance's JSON
 * auto-deserialisation, which would turn the string `"1"` into the number 1 and `'"a"'` into `a`.
 * Commands of one tick still share one `/pipeline` request. `@upstash/redis` is not imported.
 */
import { ConfigError, ProtocolError, ReplyError, TransportError } from '../../errors.ts'
import { runScript } from '../script.ts'
import type { Client, Reply } from '../types.ts'
import { createBatcher } from './auto-pipeline.ts'
import { encodedSize, jsonCommand } from './codec.ts'
import type { Outcome } from './exchange.ts'

/** The part of `@upstash/redis`'s requester used here: `request({ path, body })`. */
export interface UpstashRequesterLike {
  request(request: { path?: string[]; body?: unknown }): Promise<unknown>
}

/**
 * An `@upstash/redis` `Redis` instance, structurally. Its requester is a protected field in the
 * library's types (but a plain property at runtime, stable across 1.3x), so the type is loose.
 */
export type UpstashRedisLike = object

const requesterOf = (redis: UpstashRedisLike): UpstashRequesterLike => {
  const requester = (redis as { client?: Partial<UpstashRequesterLike> } | null)?.client
  if (!requester || typeof requester.request !== 'function') {
    throw new TypeError(
      'fromUpstashRedis() takes an @upstash/redis Redis instance (new Redis({ url, token }) or Redis.fromEnv()); the value given has no requester',
    )
  }
  return requester as UpstashRequesterLike
}

// `@upstash/redis` throws UpstashError("<server error>, command was: <body>") for a non-2xx status,
// UpstashJSONParseError for a bad body, and lets fetch's TypeError through once its retries are spent.
// The command text is cut off: it may hold session data.
const translate = (error: unknown): Error => {
  const name = (error as Error | undefined)?.name
  const message = ((error as Error | undefined)?.message ?? String(error)).replace(
    /, command was: [\s\S]*$/,
    '',
  )
  if (name === 'UpstashJSONParseError')
    return new ProtocolError(`@upstash/redis: ${message}`, { cause: error })
  if (name === 'UpstashError') {
    if (/^WRONGPASS|unauthori[sz]ed/i.test(message)) {
      return new ConfigError("the @upstash/redis instance's token was refused (HTTP 401): check its token")
    }
    return new ReplyError(message)
  }
  return new TransportError(`@upstash/redis request failed: ${message}`, { cause: error })
}

const encoder = new TextEncoder()

// The requester has already decoded base64, so strings are final; bytes are their UTF-8 encoding.
const decode = (value: unknown, bytes: boolean): Reply => {
  if (value === null || typeof value === 'number') return value
  if (typeof value === 'string') return bytes ? encoder.encode(value) : value
  if (Array.isArray(value)) return value.map((item) => decode(item, bytes))
  throw new ProtocolError(`@upstash/redis returned a result of unexpected type ${typeof value}`)
}

/**
 * Wraps an `@upstash/redis` `Redis` instance as a floodgate `Client` (kind `'http'`).
 *
 * @example
 * import { Redis } from '@upstash/redis'
 * const client = fromUpstashRedis(Redis.fromEnv())
 * await client.send(['INCR', 'visits'])
 */
export const fromUpstashRedis = (redis: UpstashRedisLike, options: { timeout?: number } = {}): Client => {
  const requester = requesterOf(redis)
  const timeout = options.timeout ?? 10_000
  if (!(typeof timeout === 'number' && timeout > 0)) {
    throw new TypeError(
      `timeout must be a positive number of milliseconds (or Infinity), received ${String(timeout)}`,
    )
  }
  const batcher = createBatcher({
    execute: async (commands) => {
      // Always /pipeline, even for one command: a reply error then stays an item error in a 200
      // instead of an UpstashError whose text also carries the whole command.
      let answer: unknown
      try {
        answer = await requester.request({ path: ['pipeline'], body: commands })
      } catch (error) {
        throw translate(error)
      }
      if (!Array.isArray(answer) || answer.length !== commands.length) {
        throw new ProtocolError(
          `@upstash/redis returned ${Array.isArray(answer) ? answer.length : 'no'} results for ${commands.length} commands`,
        )
      }
      return answer.map(
        (item: { result?: unknown; error?: unknown }): Outcome =>
          typeof item?.error === 'string' ? { error: item.error } : { result: item?.result },
      )
    },
    encode: jsonCommand,
    decode,
    timeout,
    autoPipeline: true,
    maxBatch: 1000,
    size: encodedSize,
  })
  return {
    kind: 'http',
    send: batcher.send,
    pipeline: batcher.pipeline,
    eval: (script, keys, args, sendOptions) => runScript(batcher.send, script, keys, args, sendOptions),
    // The instance belongs to the caller; only stop taking commands and wait for those in flight.
    close: batcher.close,
  }
}

/** `redis` itself when it is a floodgate `Client`, else the `@upstash/redis` instance wrapped. */
export const asClient = (redis: Client | UpstashRedisLike): Client =>
  typeof (redis as Client | null)?.eval === 'function' && typeof (redis as Client).kind === 'string'
    ? (redis as Client)
    : fromUpstashRedis(redis)
