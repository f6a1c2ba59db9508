/**
 * A Client from Node's `process.env`: TCP over `node:net` / `node:tls` for `redis://` URLs, the
 * keep-alive `node:http` fetch for the bridge's `http(s)://` URL (and the streaming one for its
 * SSE subscriptions), and with no URL the in-process memory backend.
 */

import { connect } from '../../src/bridge/node/socket.ts'
import { type CreateClientOptions, clientFromEnv as fromEnv } from '../../src/client/create-client.ts'
import type { Client } from '../../src/client/types.ts'
import { nodeFetch } from './http-fetch.ts'
import { nodeStreamFetch } from './stream-fetch.ts'

/**
 * Creates a Client from `FLOODGATE_URL` / `FLOODGATE_TOKEN` (or the Upstash pair) in `env`
 * (default `process.env`). One per process: it pools its connections.
 *
 * @example
 * const client = clientFromEnv()
 * process.once('SIGTERM', () => client.close())
 */
export const clientFromEnv = (
  env: Readonly<Record<string, string | undefined>> = process.env,
  options: CreateClientOptions = {},
): Client =>
  fromEnv(env, { connect, http: { fetch: nodeFetch(), streamFetch: nodeStreamFetch() }, ...options })
