/**
 * The example app on Cloudflare Workers, deployed by the top-level wrangler.toml. A Workers
 * socket cannot outlive its request, so each request gets its own Client (made on first use,
 * closed after the response and its waitUntil work): `requestClient(c.executionCtx)`.
 */
import { handle, requestClient, type WorkersEnv } from 'floodgate/cloudflare'
import { createApp } from '../../shared/app.ts'

const app = createApp({ client: (c) => requestClient(c.executionCtx) })

export default handle<WorkersEnv>(app)
