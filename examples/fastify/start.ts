/**
 * Starts the Fastify example on 127.0.0.1, the Client from `FLOODGATE_URL` (the in-process memory
 * backend when unset, `redis://...` for Valkey over TCP, `http(s)://...` for the bridge).
 */
import { clientFromEnv } from 'floodgate/node'
import type { Started, StartOptions } from '../shared/started.ts'
import { createApp } from './app.ts'

export type { Started } from '../shared/started.ts'

export const start = async ({ port = 3000, env = process.env }: StartOptions = {}): Promise<Started> => {
  const client = clientFromEnv(env)
  const app = await createApp({ client, trustProxy: Number(env.TRUST_PROXY ?? 0) })
  await app.listen({ port, host: '127.0.0.1' })
  return {
    url: `http://localhost:${(app.server.address() as { port: number }).port}`,
    client,
    async stop() {
      await app.close()
      await client.close()
    },
  }
}
