/**
 * The client IP of a Hono request, read the way the runtime it runs on delivers it. Each
 * source is used only where the runtime vouches for it: the Node socket (`@hono/node-server`
 * puts `incoming` in `c.env`), Deno's `remoteAddr` (`Deno.serve(app.fetch)` puts the handler
 * info in `c.env`), `cf-connecting-ip` inside workerd, `x-real-ip` inside Vercel's edge runtime.
 * `X-Forwarded-For` only with `trustProxy`. Which runtime it is, `requestIp` in
 * `src/context/client-ip.ts` decides, as it does for every caller.
 */
import type { Context } from 'hono'
import { type ClientIpOptions, requestIp } from '../context/client-ip.ts'

/**
 * The client's IP address, or undefined when the runtime offers no trustworthy source (e.g.
 * `app.request()` in a test).
 *
 * @example
 * app.get('/ip', (c) => c.text(clientIp(c) ?? 'unknown'))
 * // behind one reverse proxy (nginx, a load balancer) that appends to X-Forwarded-For:
 * app.get('/ip', (c) => c.text(clientIp(c, { trustProxy: 1 }) ?? 'unknown'))
 */
export const clientIp = (c: Context, options?: ClientIpOptions): string | undefined =>
  requestIp(c.req.raw, c.env, options)
