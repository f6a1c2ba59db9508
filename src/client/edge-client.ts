/**
 * The Client for edge runtimes (Workers, Vercel Edge): HTTP to the bridge or Upstash, or TCP to
 * a single Valkey where the runtime has sockets. Unlike `createClient` it leaves out the memory
 * backend and the cluster client: an in-isolate store limits nothing across an edge fleet, a
 * cluster is reached through the bridge, and neither should weigh on a Worker's bundle.
 */

import { ConfigError } from '../errors.ts'
import { type ClientEnv, resolveEnv } from './env.ts'
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

/**
 * The edge factory behind `floodgate/cloudflare` and `floodgate/vercel`: the URL and token by
 * `resolveEnv`'s rule, then `createEdgeClient`. No URL is a `ConfigError` carrying `missing`, the
 * runtime's own advice on where to set it.
 *
 * @example
 * const client = edgeClientFromEnv(env, {}, { where: 'Cloudflare Workers', missing: 'FLOODGATE_URL is not set', connect })
 */
export const edgeClientFromEnv = (
  env: ClientEnv,
  options: EdgeClientOptions,
  runtime: { where: string; missing: string; connect?: Connect },
): Client => {
  const { url, token } = resolveEnv((name) => env[name], options)
  if (!url) throw new ConfigError(runtime.missing)
  return createEdgeClient(url, { ...options, ...(token ? { token } : {}) }, runtime.where, runtime.connect)
}
