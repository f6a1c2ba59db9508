/**
 * A Client from a Worker's `env` bindings and secrets. `FLOODGATE_URL` picks the transport: an
 * `https://` bridge (or Upstash) URL goes over `fetch`; a `redis://` / `rediss://` URL over
 * `cloudflare:sockets`. A Workers socket belongs to the request that opened it, so a Client is
 * made per request (see `handle()` and `requestClient()`), never shared at module level.
 */
import { connect as socketConnect } from 'cloudflare:sockets'
import { type EdgeClientOptions, edgeClientFromEnv } from '../../src/client/edge-client.ts'
import type { ClientEnv } from '../../src/client/env.ts'
import type { Client } from '../../src/client/types.ts'
import { cloudflareConnect } from './socket.ts'

const connect = cloudflareConnect(socketConnect)

/** The bindings floodgate reads (set with `[vars]` or `wrangler secret put`). */
export type WorkersEnv = ClientEnv

/**
 * Creates a Client from a Worker's env; the caller closes it. A missing URL is a `ConfigError`,
 * not a silent in-isolate store: a memory backend per isolate would enforce no limit across
 * Cloudflare's fleet.
 *
 * @example
 * export default {
 *   async fetch(request, env, ctx) {
 *     const client = clientFromEnv(env)
 *     ctx.waitUntil(client.close()) // commands already sent are answered first
 *     return new Response(String(await client.send(['INCR', 'hits'])))
 *   },
 * }
 */
export const clientFromEnv = (env: WorkersEnv, options: EdgeClientOptions = {}): Client => {
  if (env === null || typeof env !== 'object') {
    throw new TypeError(
      'clientFromEnv(env) takes the Worker env: the second argument of fetch(request, env, ctx)',
    )
  }
  return edgeClientFromEnv(env, options, {
    where: 'Cloudflare Workers',
    missing:
      'FLOODGATE_URL is not set in the Worker env: `wrangler secret put FLOODGATE_URL` (a redis:// URL or ' +
      'the bridge’s https:// URL), and FLOODGATE_TOKEN for the bridge; locally, put them in .dev.vars',
    connect,
  })
}
