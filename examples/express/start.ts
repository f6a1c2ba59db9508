/**
 * Starts the Express example on 127.0.0.1, the Client from `FLOODGATE_URL` (the in-process memory
 * backend when unset, `redis://...` for Valkey over TCP, `http(s)://...` for the bridge).
 */
import type { AddressInfo } from 'node:net'
import type { Client } from 'floodgate'
import { clientFromEnv } from 'floodgate/node'
import { createApp } from './app.ts'

export interface Started {
  readonly url: string
  readonly client: Client
  /** Stops accepting, lets in-flight requests finish, closes the Client. */
  stop(): Promise<void>
}

export const start = async ({
  port = 3000,
  env = process.env,
}: {
  port?: number
  env?: Readonly<Record<string, string | undefined>>
} = {}): Promise<Started> => {
  const client = clientFromEnv(env)
  const app = createApp({ client, trustProxy: Number(env.TRUST_PROXY ?? 0) })
  const server = app.listen(port, '127.0.0.1')
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve)
    server.once('error', reject)
  })
  return {
    url: `http://localhost:${(server.address() as AddressInfo).port}`,
    client,
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await client.close()
    },
  }
}
