/**
 * `publish()` and `spublish()`: one command each, or in durable mode an `XADD` to the channel's
 * stream (trimmed to about `maxLen` entries) plus a `PUBLISH` that wakes durable subscribers.
 */
import type { Client } from '../client/types.ts'
import { ReplyError } from '../errors.ts'
import { streamKey } from './durable.ts'

export interface PublishOptions {
  /**
   * Append to the channel's stream for durable subscribers: `true`, or `{ maxLen, key }`. The
   * stream keeps about `maxLen` entries (`XADD MAXLEN ~`, default 10000): a subscriber away for
   * longer than that many messages misses the oldest (reported as a `trimmed` gap).
   */
  durable?: boolean | { maxLen?: number; key?: (channel: string) => string }
}

/**
 * Publishes `message` on `channel`. Resolves with how many subscribers received it (in durable
 * mode: the stream entry id).
 *
 * @example
 * await publish(client, 'chat', JSON.stringify({ from: 'ada', text: 'hi' }))
 */
export async function publish(
  client: Client,
  channel: string,
  message: string | Uint8Array,
  options: PublishOptions = {},
): Promise<number | string> {
  if (typeof channel !== 'string' || channel === '') throw new TypeError('channel must be a non-empty string')
  if (typeof message !== 'string' && !(message instanceof Uint8Array))
    throw new TypeError(`message must be a string or a Uint8Array, received ${typeof message}`)
  if (!options.durable) return (await client.send(['PUBLISH', channel, message])) as number
  const durable = options.durable === true ? {} : options.durable
  const maxLen = durable.maxLen ?? 10_000
  if (!(Number.isSafeInteger(maxLen) && maxLen > 0))
    throw new TypeError(`durable.maxLen must be a positive integer, received ${String(maxLen)}`)
  const key = (durable.key ?? streamKey)(channel)
  const [id, published] = await client.pipeline([
    ['XADD', key, 'MAXLEN', '~', maxLen, '*', 'm', message],
    // The wake-up goes to a channel named after the key: plain subscribers of `channel` never see it.
    ['PUBLISH', key, ''],
  ])
  if (id instanceof ReplyError) throw id
  if (published instanceof ReplyError) throw published
  return id as string
}

/**
 * Publishes on a shard channel (`SPUBLISH`, Valkey 7+): on a cluster it reaches only the shard
 * that owns the channel's slot, where sharded subscribers listen.
 *
 * @example
 * await spublish(client, '{room:42}:chat', 'hello')
 */
export async function spublish(
  client: Client,
  channel: string,
  message: string | Uint8Array,
): Promise<number> {
  if (typeof channel !== 'string' || channel === '') throw new TypeError('channel must be a non-empty string')
  return (await client.send(['SPUBLISH', channel, message])) as number
}
