/** The pub/sub cases inside workerd: over TCP with `cloudflare:sockets`, or SSE through the bridge. */
import { connect } from 'cloudflare:sockets'
import { cloudflareConnect } from '../../../adapters/cloudflare/socket.ts'
import { createTcpClient } from '../../../src/client/tcp/client.ts'
import { runPubsubCases } from '../../pubsub/cases.ts'
import { runSse } from '../support/pubsub-sse.ts'

export default {
  async fetch(request: Request): Promise<Response> {
    const params = new URL(request.url).searchParams
    if (params.get('mode') !== 'tcp') return runSse(request)
    const make = () =>
      createTcpClient({
        host: '127.0.0.1',
        port: Number(params.get('port')),
        connect: cloudflareConnect(connect),
      })
    const sub = make()
    const pub = make()
    const results = await runPubsubCases(sub, pub)
    await Promise.all([sub.close(), pub.close()])
    return Response.json(results)
  },
}
