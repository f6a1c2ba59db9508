/**
 * Starts the example app on Node: `@hono/node-server` over `node:http`, the Client from
 * `FLOODGATE_URL` (the in-process memory backend when unset), background work tracked so that
 * `stop()` (and SIGTERM in server.ts) lets it finish before the process exits.
 */
import { serve } from '@hono/node-server'
import { type Background, clientFromEnv, createBackground, handle } from 'floodgate/node'
import { createApp } from '../shared/app.ts'
import type { StartOptions as BaseOptions, Started as BaseStarted } from '../shared/started.ts'

/** `stop()` also waits for the background work. */
export interface Started extends BaseStarted {
  readonly background: Background
}

export interface StartOptions extends BaseOptions {
  /** Where background work goes; default a new `createBackground()`. */
  background?: Background
}

export const start = async ({
  port = 3000,
  env = process.env,
  background = createBackground(),
}: StartOptions = {}): Promise<Started> => {
  const client = clientFromEnv(env)
  // Behind nginx or a load balancer, set TRUST_PROXY to the number of proxies in front.
  const app = createApp({ client: () => client, trustProxy: Number(env.TRUST_PROXY ?? 0) })
  const server = serve({ fetch: handle(app, background), port, hostname: '127.0.0.1' })
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve)
    server.once('error', reject)
  })
  const address = server.address()
  const actual = typeof address === 'object' && address ? address.port : port
  return {
    url: `http://localhost:${actual}`,
    client,
    background,
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await background.drain()
      await client.close()
    },
  }
}
