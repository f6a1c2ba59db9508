/**
 * A Worker that reaches a Sentinel-managed primary over `cloudflare:sockets`: each request asks
 * the Sentinels (`env.SENTINEL_URL`), checks ROLE and writes. No `+switch-master` watch: a Worker's
 * sockets live for one request, so each request discovers afresh.
 */
import { connect } from 'cloudflare:sockets'
import { cloudflareConnect } from '../../../adapters/cloudflare/socket.ts'
import { createSentinelClient } from '../../../src/client/tcp/sentinel/client.ts'

export default {
  async fetch(_request: Request, env: { SENTINEL_URL: string }): Promise<Response> {
    const client = createSentinelClient({
      url: env.SENTINEL_URL,
      connect: cloudflareConnect(connect),
      watch: false,
    })
    try {
      const hits = await client.send(['INCR', 'worker-hits'])
      const role = await client.send(['ROLE'])
      return Response.json({ hits, role: (role as string[])[0], port: client.address?.port })
    } finally {
      await client.close()
    }
  },
}
