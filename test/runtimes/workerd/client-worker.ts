/**
 * A Worker that runs the runtime-neutral client suite inside workerd, over `cloudflare:sockets`,
 * against the Valkey on `env.VALKEY_PORT`, and answers with one result per case. A fresh client per
 * request: Workers cannot reuse a socket across requests.
 */
import { connect } from 'cloudflare:sockets'
import { cloudflareConnect } from '../../../adapters/cloudflare/socket.ts'
import { createTcpClient } from '../../../src/client/tcp/client.ts'
import { runSuite } from '../../client/run-suite.ts'

export default {
  async fetch(_request: Request, env: { VALKEY_PORT: string }): Promise<Response> {
    const client = createTcpClient({
      host: '127.0.0.1',
      port: Number(env.VALKEY_PORT),
      connect: cloudflareConnect(connect),
    })
    const results = await runSuite(client)
    await client.close()
    return Response.json(results)
  },
}
