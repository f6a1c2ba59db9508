/**
 * The client IP of a Hono request, read the way the runtime it runs on delivers it. Each
 * source is used only where the runtime vouches for it: the Node socket (`@hono/node-server`
 * puts `incoming` in `c.env`), Deno's `remoteAddr` (`Deno.serve(app.fetch)` puts the handler
 * info in `c.env`), `cf-connecting-ip` inside workerd, `x-real-ip` inside Vercel's edge runtime.
 * `X-Forwarded-For` only with `trustProxy`.
 */
import type { Context } from 'hono'
import {
  type ClientIpOptions,
  cloudflareIp,
  denoIp,
  forwardedIp,
  type IncomingLike,
  nodeIp,
  type ServeInfoLike,
  trustedHops,
  vercelIp,
} from '../context/client-ip.ts'

// Globals of the runtimes that define them: `navigator.userAgent` is 'Cloudflare-Workers' in
// workerd; `EdgeRuntime` is a string in Vercel's edge runtime.
const runtime = globalThis as { navigator?: { userAgent?: string }; EdgeRuntime?: unknown }

const isWorkerd = (): boolean => runtime.navigator?.userAgent === 'Cloudflare-Workers'

/**
 * The client's IP address, or undefined when the runtime offers no trustworthy source (e.g.
 * `app.request()` in a test).
 *
 * @example
 * app.get('/ip', (c) => c.text(clientIp(c) ?? 'unknown'))
 * // behind one reverse proxy (nginx, a load balancer) that appends to X-Forwarded-For:
 * app.get('/ip', (c) => c.text(clientIp(c, { trustProxy: 1 }) ?? 'unknown'))
 */
export const clientIp = (c: Context, options?: ClientIpOptions): string | undefined => {
  const request = c.req.raw
  const env = c.env as (IncomingLike & ServeInfoLike & { incoming?: IncomingLike }) | undefined
  if (env?.incoming?.socket) return nodeIp(request, env.incoming, options)
  if (env?.remoteAddr) return denoIp(request, env, options)
  if (isWorkerd()) return cloudflareIp(request, options)
  if (typeof runtime.EdgeRuntime === 'string') return vercelIp(request, options)
  return forwardedIp(request.headers, trustedHops(options?.trustProxy))
}
