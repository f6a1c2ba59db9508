/**
 * The Client for edge runtimes (Workers, Vercel Edge): HTTP to the bridge or Upstash, or TCP to
 * a single Valkey where the runtime has sockets. Unlike `createClient` it leaves out the memory
 * backend and the cluster client: an in-isolate store limits nothing across an edge fleet, a
 * cluster is reached through the bridge, and neither should weigh on a Worker's bundle.
 */

import { ConfigError } from '../errors.ts'
import type { HttpClientOptions } from './http/client.ts'
import { createHttpClient } from './http/client.ts'
import { createTcpClient } from './tcp/client.ts'
import type { TcpClientOptions } from './tcp/options.ts'
import type { Connect } from './tcp/socket.ts'
import type { Client } from './types.ts'

export interface EdgeClientOptions {
  /** The bearer token for the bridge (or Upstash); default from the environment. */
  token?: string
  /** Options for the HTTP transport, beyond its URL and token. */
  http?: Omit<HttpClientOptions, 'url' | 'token'>
  /** Options for the TCP transport, beyond its URL and `connect`. */
  tcp?: Omit<TcpClientOptions, 'url' | 'connect'>
}

/** The four variables floodgate reads, as a function from name to value. */
export type ReadEnv = (name: string) => string | undefined

/** The URL and token from FLOODGATE_URL / FLOODGATE_TOKEN, else the Upstash pair. */
export const edgeConfig = (read: ReadEnv): { url?: string; token?: string } => {
  const floodgate = read('FLOODGATE_URL')?.trim() || undefined
  if (floodgate) return { url: floodgate, token: read('FLOODGATE_TOKEN') || undefined }
  const upstash = read('UPSTASH_REDIS_REST_URL')?.trim() || undefined
  if (upstash && !read('UPSTASH_REDIS_REST_TOKEN')) {
    throw new ConfigError('UPSTASH_REDIS_REST_URL is set but UPSTASH_REDIS_REST_TOKEN is not: set both')
  }
  return { url: upstash, token: read('UPSTASH_REDIS_REST_TOKEN') || undefined }
}

const TCP = /^(redis|rediss|valkey|valkeys):\/\//i

/**
 * Creates the Client for `url`: `https://` (or `http://`) over fetch; `redis://` and friends over
 * `connect` when the runtime has sockets. `where` names the runtime in error messages.
 *
 * @example
 * const client = createEdgeClient(env.FLOODGATE_URL, { token: env.FLOODGATE_TOKEN }, 'Vercel Edge')
 */
export const createEdgeClient = (
  url: string,
  options: EdgeClientOptions,
  where: string,
  connect?: Connect,
): Client => {
  if (/^https?:\/\//i.test(url)) {
    return createHttpClient({ ...options.http, url, ...(options.token ? { token: options.token } : {}) })
  }
  if (TCP.test(url)) {
    if (!connect) {
      throw new ConfigError(
        `${where} has no TCP sockets, so FLOODGATE_URL cannot be a redis:// URL: run \`floodgate bridge\` next to ` +
          'Valkey and set FLOODGATE_URL to its https:// URL (or use the Node.js runtime with floodgate/node)',
      )
    }
    if (url.includes(',')) {
      throw new ConfigError(
        `${where}: a Valkey Cluster (several hosts in FLOODGATE_URL) is reached through the bridge: run ` +
          '`floodgate bridge --cluster` and set FLOODGATE_URL to its https:// URL',
      )
    }
    return createTcpClient({ ...options.tcp, url, connect })
  }
  throw new ConfigError(
    `${where}: FLOODGATE_URL must be the bridge's https:// URL${connect ? ' or a redis:// URL' : ''}; ` +
      'the in-process memory backend would limit nothing across the platform’s isolates',
  )
}
