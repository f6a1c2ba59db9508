/**
 * `createClient(url)` picks the transport from the URL's scheme; `clientFromEnv(env)` reads the URL
 * and token from named environment variables. No URL means the embedded memory backend, so an app
 * runs with zero configuration and moves to Valkey by setting one variable.
 */
import { ConfigError } from '../errors.ts'
import { type ClusterClientOptions, createClusterClient } from './cluster/client.ts'
import { hasSeveralHosts } from './cluster/seeds.ts'
import { type EnvLike, envReader, resolveEnv } from './env.ts'
import { createHttpClient, type HttpClientOptions } from './http/client.ts'
import { createMemoryClient, type MemoryClientOptions } from './memory/client.ts'
import { createTcpClient, type TcpClientOptions } from './tcp/client.ts'
import { createSentinelClient, type SentinelClientOptions } from './tcp/sentinel/client.ts'
import type { Connect } from './tcp/socket.ts'
import type { Client } from './types.ts'

export type { EnvLike } from './env.ts'

export interface CreateClientOptions {
  /**
   * Opens TCP sockets, needed for `redis://`, `rediss://`, `valkey://` and `valkeys://` URLs:
   * `connect` from `floodgate/node`, `floodgate/cloudflare` or `floodgate/deno`.
   */
  connect?: Connect
  /** The bearer token for an `http(s)://` URL (the bridge's token, or Upstash's REST token). */
  token?: string
  /** Options for the memory backend (no URL, or `memory:`). */
  memory?: MemoryClientOptions
  /** Options for the HTTP transport, beyond its URL and token. */
  http?: Omit<HttpClientOptions, 'url' | 'token'>
  /** Options for the TCP transport (timeouts, reconnect, TLS name), beyond its URL and `connect`. */
  tcp?: Omit<TcpClientOptions, 'url' | 'connect'>
  /**
   * The URL points at a Valkey Cluster: `true`, or the cluster client's options (`readFrom`, ...).
   * Implied when the URL lists several seeds, `redis://h1:6379,h2:6379`. `tcp` options apply to
   * every node's connection.
   */
  cluster?: boolean | Omit<ClusterClientOptions, 'url' | 'nodes' | 'connect'>
  /** Options for a `redis+sentinel://` URL (Sentinel timeout, `watch`, `role`), beyond `tcp`'s. */
  sentinel?: Omit<SentinelClientOptions, 'url' | 'connect'>
}

const TCP = new Set(['redis:', 'rediss:', 'valkey:', 'valkeys:'])
const SENTINEL = new Set(['redis+sentinel:', 'rediss+sentinel:', 'valkey+sentinel:', 'valkeys+sentinel:'])

/** The URL's scheme, lower-cased with its colon (`'redis:'`), without ever echoing the URL. */
const schemeOf = (url: string): string => {
  const match = /^([a-z][a-z0-9+.-]*):/i.exec(url)
  if (!match) {
    throw new ConfigError(
      "the client URL has no scheme: use 'redis://host:6379', 'https://bridge.example', or 'memory:'",
    )
  }
  return `${match[1]!.toLowerCase()}:`
}

/**
 * Creates a client for `url`: none or `memory:` gives the in-process memory backend;
 * `redis://`, `rediss://`, `valkey://`, `valkeys://` a TCP client (pass `connect` from your
 * runtime's adapter), or a cluster client when the URL lists several seeds
 * (`redis://h1:6379,h2:6379`) or `cluster` is set; `redis+sentinel://h1:26379,h2:26379/mymaster`
 * a client that follows the primary Sentinel names; `http://` / `https://` the HTTP transport to the bridge or Upstash (pass
 * `token`, or put it in the URL's password).
 *
 * @example
 * import { connect } from 'floodgate/node'
 * const client = createClient(process.env.FLOODGATE_URL, { connect })
 * await client.send(['PING']) // 'PONG'
 */
export const createClient = (url?: string, options: CreateClientOptions = {}): Client => {
  if (url !== undefined && typeof url !== 'string') {
    throw new TypeError(`url must be a string such as 'redis://127.0.0.1:6379', received ${typeof url}`)
  }
  if (url === undefined || url.trim() === '') return createMemoryClient(options.memory)
  const scheme = schemeOf(url.trim())
  if (scheme === 'memory:') return createMemoryClient(options.memory)
  if (scheme === 'http:' || scheme === 'https:') {
    return createHttpClient({
      ...options.http,
      url: url.trim(),
      ...(options.token === undefined ? {} : { token: options.token }),
    })
  }
  if (TCP.has(scheme) || SENTINEL.has(scheme)) {
    if (typeof options.connect !== 'function') {
      throw new ConfigError(
        `a ${scheme}// URL needs a TCP socket: pass { connect } from 'floodgate/node', 'floodgate/cloudflare' ` +
          "or 'floodgate/deno' (Vercel Edge has no TCP: use the bridge over https:// instead)",
      )
    }
    if (SENTINEL.has(scheme)) {
      return createSentinelClient({
        ...options.tcp,
        ...options.sentinel,
        url: url.trim(),
        connect: options.connect,
      })
    }
    if (options.cluster || hasSeveralHosts(url)) {
      const cluster = typeof options.cluster === 'object' ? options.cluster : {}
      return createClusterClient({ ...options.tcp, ...cluster, url: url.trim(), connect: options.connect })
    }
    return createTcpClient({ ...options.tcp, url: url.trim(), connect: options.connect })
  }
  throw new ConfigError(
    `unsupported client URL scheme '${scheme}': use redis://, rediss://, valkey://, valkeys://, redis+sentinel://, http://, https:// or memory:`,
  )
}

/**
 * Creates a client from environment variables (see `env.ts` for the names and their precedence).
 * With none set, the memory backend.
 *
 * @example
 * import { connect } from 'floodgate/node'
 * const client = clientFromEnv(process.env, { connect })
 */
export const clientFromEnv = (env: EnvLike, options: CreateClientOptions = {}): Client => {
  if (env === null || typeof env !== 'object') {
    throw new TypeError(
      'clientFromEnv() takes the environment: process.env, Deno.env, or a Worker env binding',
    )
  }
  const { url, token } = resolveEnv(envReader(env), options)
  return createClient(url, { ...options, ...(token === undefined ? {} : { token }) })
}
