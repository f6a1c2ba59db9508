/**
 * A Client from Vercel's `process.env`. Vercel's edge runtime has no TCP, so the URL must be an
 * `https://` one: floodgate's bridge in front of Valkey, or Upstash. Each variable is referenced
 * by its full name (`process.env.FLOODGATE_URL`) because Next.js inlines only the variables a
 * function names explicitly.
 */

import { type EdgeClientOptions, edgeClientFromEnv } from '../../src/client/edge-client.ts'
import { processEnv } from '../../src/client/env.ts'
import type { Client } from '../../src/client/types.ts'

/**
 * Creates a Client from the project's environment variables. A `redis://` URL is a
 * `ConfigError` that points at the bridge, as is no URL at all (a per-isolate memory store would
 * limit nothing across Vercel's edge).
 *
 * @example
 * export const config = { runtime: 'edge' }
 * const client = clientFromEnv()
 * export default async (request: Request) => new Response(String(await client.send(['INCR', 'hits'])))
 */
export const clientFromEnv = (options: EdgeClientOptions = {}): Client =>
  edgeClientFromEnv(processEnv(), options, {
    where: 'Vercel Edge',
    missing:
      'FLOODGATE_URL is not set: add it (the bridge’s https:// URL) and FLOODGATE_TOKEN in the Vercel project’s ' +
      'Environment Variables, or UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN',
  })
