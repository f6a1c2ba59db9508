/**
 * Relays pub/sub channels to a browser as Server-Sent Events (`hono/streaming`'s `streamSSE`):
 * each message becomes an SSE `message` event (`id:` set in durable mode, so the browser's
 * `Last-Event-ID` resumes where it stopped), each gap a `gap` event, and a comment line every
 * `heartbeat` ms keeps proxies from closing an idle stream. When the browser goes away the
 * subscription closes and its connection with it.
 */
import type { Context, Env, MiddlewareHandler } from 'hono'
import { streamSSE } from 'hono/streaming'
import type { Client } from '../client/types.ts'
import type { SubscribeOptions } from '../pubsub/options.ts'
import { subscribe } from '../pubsub/subscribe.ts'

export interface SseRelayOptions<E extends Env = Env> {
  /** The client to subscribe with (TCP, the bridge over HTTP, cluster or memory). */
  client: Client | ((c: Context<E>) => Client)
  /** The channels, fixed or per request (e.g. from a route parameter). */
  channels: readonly string[] | ((c: Context<E>) => readonly string[])
  /** More `subscribe()` options: `patterns`, `durable`, buffer bounds, overflow policy. */
  subscribe?: Omit<SubscribeOptions, 'signal'>
  /** A comment line this often (ms), so idle streams stay open through proxies. Default 15000; 0 for none. */
  heartbeat?: number
}

const utf8 = new TextDecoder()

/**
 * A Hono handler that streams the channels to the client as SSE.
 *
 * @example
 * app.get('/rooms/:room/events', sseRelay({ client, channels: (c) => [`room:${c.req.param('room')}`] }))
 * // in the browser: new EventSource('/rooms/42/events').onmessage = (e) => show(e.data)
 */
export const sseRelay = <E extends Env = Env>(options: SseRelayOptions<E>): MiddlewareHandler<E> => {
  const { client, channels, heartbeat = 15_000 } = options
  if (client === null || (typeof client !== 'object' && typeof client !== 'function'))
    throw new TypeError('sseRelay() needs a client: createClient(url) or (c) => client')
  if (typeof channels !== 'function' && !Array.isArray(channels))
    throw new TypeError("sseRelay() needs channels: ['chat'], or a function of the context returning them")
  if (!(Number.isFinite(heartbeat) && heartbeat >= 0))
    throw new TypeError(`heartbeat must be a number of ms >= 0, received ${String(heartbeat)}`)
  return async function sseRelay(c) {
    const target = typeof client === 'function' ? client(c) : client
    const names = typeof channels === 'function' ? channels(c) : channels
    const extra = options.subscribe ?? {}
    const lastId = c.req.header('last-event-id')
    const durable =
      extra.durable && lastId
        ? { ...(typeof extra.durable === 'object' ? extra.durable : {}), from: lastId }
        : extra.durable
    const subscription = subscribe(target, names, { ...extra, ...(durable ? { durable } : {}) })
    return streamSSE(c, async (stream) => {
      stream.onAbort(() => void subscription.close())
      const beat =
        heartbeat > 0
          ? setInterval(() => void stream.write(': keep-alive\n\n').catch(() => {}), heartbeat)
          : undefined
      const offGap = subscription.on('gap', (gap) => {
        void stream.writeSSE({ event: 'gap', data: JSON.stringify(gap) }).catch(() => {})
      })
      try {
        await subscription.ready
        for await (const { channel, message, pattern, id } of subscription) {
          if (stream.aborted) break
          const data = typeof message === 'string' ? message : utf8.decode(message)
          await stream.writeSSE({
            data,
            // The channel rides in `event` only when several are relayed; one channel: plain messages.
            event: names.length > 1 || pattern !== undefined ? channel : 'message',
            ...(id === undefined ? {} : { id }),
          })
        }
      } finally {
        clearInterval(beat)
        offGap()
        await subscription.close()
      }
    })
  } as MiddlewareHandler<E>
}
