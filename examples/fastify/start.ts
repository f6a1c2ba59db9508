/**
 * Starts the Fastify example on 127.0.0.1, the Client from `FLOODGATE_URL` (the in-process memory
 * backend when unset, `redis://...` for Valkey over TCP, `http(s)://...` for the bridge).
 */
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
