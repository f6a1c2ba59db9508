/**
 * The client's IP address, read the way each runtime delivers it: a header the platform sets
 * (Cloudflare's `cf-connecting-ip`, Vercel's `x-real-ip`), or the peer address of the connection
 * (Deno's `remoteAddr`, Node's socket). `X-Forwarded-For` is read only when the caller says how
 * many proxies in front of the app it trusts: the client writes that header itself, so trusting
 * it by default would let anyone pick the key they are rate limited under.
 */

/**
 * How many reverse proxies in front of the app to trust. `false` (the default) ignores
 * `X-Forwarded-For`; `true` is one proxy; a number is that many hops.
 */
export type TrustProxy = boolean | number

export interface ClientIpOptions {
  /** Read `X-Forwarded-For` written by this many trusted proxies (default `false`: never). */
  trustProxy?: TrustProxy
}

/** Enough of a Node `IncomingMessage` to read the peer address. */
export interface IncomingLike {
  socket?: { remoteAddress?: string | undefined } | null
}

/** Enough of Deno's `ServeHandlerInfo` to read the peer address. */
export interface ServeInfoLike {
  remoteAddr?: { hostname?: string; transport?: string } | null
}

const IP_TEXT = /^[0-9A-Fa-f:.]{2,45}$/

/**
 * Trims a candidate address and keeps it only when it looks like an IPv4 or IPv6 literal, so a
 * header full of junk never becomes a rate-limit key. Brackets and ports (`[::1]:80`,
 * `1.2.3.4:80`) are dropped.
 */
export const cleanIp = (value: string | null | undefined): string | undefined => {
  if (value === null || value === undefined) return undefined
  let ip = value.trim()
  const bracketed = /^\[([^\]]*)\](?::\d+)?$/.exec(ip)
  if (bracketed) ip = bracketed[1]!
  const ipv4WithPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(ip)
  if (ipv4WithPort) ip = ipv4WithPort[1]!
  // An IPv4-mapped IPv6 peer (`::ffff:1.2.3.4`, Node's dual-stack sockets) is the IPv4 client.
  if (/^::ffff:\d/i.test(ip) && ip.includes('.')) ip = ip.slice(7)
  return IP_TEXT.test(ip) ? ip : undefined
}

/** The number of trusted hops `trustProxy` stands for; throws a TypeError for nonsense. */
export const trustedHops = (trustProxy: TrustProxy | undefined): number => {
  if (trustProxy === undefined || trustProxy === false) return 0
  if (trustProxy === true) return 1
  if (!Number.isInteger(trustProxy) || trustProxy < 0) {
    throw new TypeError(`trustProxy must be a boolean or a non-negative integer, received ${trustProxy}`)
  }
  return trustProxy
}

/**
 * The address `hops` trusted proxies saw: the `hops`-th entry of `X-Forwarded-For` counted from
 * the right (each proxy appends the peer it saw). Entries further left were written by the
 * client and are never used.
 *
 * @example
 * // nginx in front of the app appends the client's address: trust one hop
 * forwardedIp(request.headers, 1) // '203.0.113.7' for 'X-Forwarded-For: 10.0.0.1, 203.0.113.7'
 */
export const forwardedIp = (headers: Headers, hops: number): string | undefined => {
  if (hops <= 0) return undefined
  const header = headers.get('x-forwarded-for')
  if (!header) return undefined
  const entries = header.split(',')
  // Fewer entries than trusted hops: the leftmost was still written by a trusted proxy.
  return cleanIp(entries[Math.max(0, entries.length - hops)])
}

const viaProxy = (headers: Headers, options: ClientIpOptions | undefined): string | undefined =>
  forwardedIp(headers, trustedHops(options?.trustProxy))

/**
 * The client address on Cloudflare Workers: `cf-connecting-ip`, which Cloudflare's edge sets
 * and a client cannot override.
 *
 * @example
 * const ip = cloudflareIp(request) // '203.0.113.7'
 */
export const cloudflareIp = (request: Request, options?: ClientIpOptions): string | undefined =>
  viaProxy(request.headers, options) ?? cleanIp(request.headers.get('cf-connecting-ip'))

/**
 * The client address on Vercel: `x-real-ip`, which Vercel's edge network sets.
 *
 * @example
 * const ip = vercelIp(request) // '203.0.113.7'
 */
export const vercelIp = (request: Request, options?: ClientIpOptions): string | undefined =>
  viaProxy(request.headers, options) ?? cleanIp(request.headers.get('x-real-ip'))

/**
 * The client address on Deno: the peer of the connection, from the second argument of the
 * `Deno.serve` handler.
 *
 * @example
 * Deno.serve((request, info) => new Response(denoIp(request, info)))
 */
export const denoIp = (
  request: Request,
  info: ServeInfoLike | undefined,
  options?: ClientIpOptions,
): string | undefined => viaProxy(request.headers, options) ?? cleanIp(info?.remoteAddr?.hostname)

/**
 * The client address on Node: the peer of the request's socket.
 *
 * @example
 * createServer((req, res) => res.end(nodeIp(toRequest(req), req)))
 */
export const nodeIp = (
  request: Request,
  incoming: IncomingLike | undefined,
  options?: ClientIpOptions,
): string | undefined => viaProxy(request.headers, options) ?? cleanIp(incoming?.socket?.remoteAddress)

// Globals of the runtimes that define them: `navigator.userAgent` is 'Cloudflare-Workers' in
// workerd; `EdgeRuntime` is a string in Vercel's edge runtime.
const runtime = globalThis as { navigator?: { userAgent?: string }; EdgeRuntime?: unknown }

/**
 * The client address of a request whose runtime is not known in advance (a Hono app served
 * anywhere): the Node socket (`@hono/node-server` puts `incoming` in the env), Deno's
 * `remoteAddr` (`Deno.serve(app.fetch)` passes the handler info as the env), `cf-connecting-ip`
 * inside workerd, `x-real-ip` inside Vercel's edge runtime; else only `X-Forwarded-For` under
 * `trustProxy`. The one place that tells the runtimes apart by their globals.
 *
 * @example
 * requestIp(request, env, { trustProxy: 1 })
 */
export const requestIp = (request: Request, env: unknown, options?: ClientIpOptions): string | undefined => {
  const handed = env as (IncomingLike & ServeInfoLike & { incoming?: IncomingLike }) | null | undefined
  if (handed?.incoming?.socket) return nodeIp(request, handed.incoming, options)
  if (handed?.remoteAddr) return denoIp(request, handed, options)
  if (runtime.navigator?.userAgent === 'Cloudflare-Workers') return cloudflareIp(request, options)
  if (typeof runtime.EdgeRuntime === 'string') return vercelIp(request, options)
  return viaProxy(request.headers, options)
}
