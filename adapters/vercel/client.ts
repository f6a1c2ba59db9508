/**
 * A Client from Vercel's `process.env`. Vercel's edge runtime has no TCP, so the URL must be an
 * `https://` one: floodgate's bridge in front of Valkey, or Upstash. Each variable is referenced
 * by its full name (`process.env.FLOODGATE_URL`) because Next.js inlines only the variables a
 * function names explicitly.
 */

import { createEdgeClient, type EdgeClientOptions, edgeConfig } from '../../src/client/edge-client.ts'
import type { Client } from '../../src/client/types.ts'
import { ConfigError } from '../../src/errors.ts'

const readEnv = (): Record<string, string | undefined> => {
  if (typeof process === 'undefined' || !process.env) return {}
  return {
    FLOODGATE_URL: process.env.FLOODGATE_URL,
    FLOODGATE_TOKEN: process.env.FLOODGATE_TOKEN,
    UPSTASH_REDIS_REST_URL: process.env.UPSTASH_REDIS_REST_URL,
    UPSTASH_REDIS_REST_TOKEN: process.env.UPSTASH_REDIS_REST_TOKEN,
  }
}

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
export const clientFromEnv = (options: EdgeClientOptions = {}): Client => {
  const env = readEnv()
  const { url, token } = edgeConfig((name) => env[name])
  if (!url) {
    throw new ConfigError(
      'FLOODGATE_URL is not set: add it (the bridge’s https:// URL) and FLOODGATE_TOKEN in the Vercel project’s ' +
        'Environment Variables, or UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN',
    )
  }
  return createEdgeClient(url, { ...(token ? { token } : {}), ...options }, 'Vercel Edge')
}
