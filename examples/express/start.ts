/**
 * Starts the Express example on 127.0.0.1, the Client from `FLOODGATE_URL` (the in-process memory
 * backend when unset, `redis://...` for Valkey over TCP, `http(s)://...` for the bridge).
 */
import type { AddressInfo } from 'node:net'
import { clientFromEnv } from 'floodgate/node'
import type { Started, StartOptions } from '../shared/started.ts'
import { createApp } from './app.ts'

export type { Started } from '../shared/started.ts'

export const start = async ({ port = 3000, env = process.env }: StartOptions = {}): Promise<Started> => {
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
