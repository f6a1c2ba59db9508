/**
 * Starts the example app on Deno: `Deno.serve` (its handler info carries the client's address),
 * the Client from FLOODGATE_URL (TCP over `Deno.connect`, or the bridge over fetch; the memory
 * backend when unset), background work tracked so `stop()` lets it finish.
 */
import type { Client } from 'floodgate'
import { type Background, clientFromEnv, createBackground, handle } from 'floodgate/deno'
import { createApp } from '../shared/app.ts'

export interface Started {
  readonly url: string
  readonly client: Client
  readonly background: Background
  stop(): Promise<void>
}

const trustedProxies = (): number => {
  try {
    return Number(Deno.env.get('TRUST_PROXY') ?? 0)
  } catch {
    return 0 // no --allow-env=TRUST_PROXY: trust no proxy
  }
}

export const start = ({
  port = 8000,
  hostname = '127.0.0.1',
  background = createBackground(),
}: {
  port?: number
  hostname?: string
  background?: Background
} = {}): Started => {
  const client = clientFromEnv()
  const app = createApp({ client: () => client, trustProxy: trustedProxies() })
  const server = Deno.serve({ hostname, port, onListen() {} }, handle(app, background))
  return {
    url: `http://localhost:${server.addr.port}`,
    client,
    background,
    async stop() {
      await server.shutdown()
      await background.drain()
      await client.close()
    },
  }
}
