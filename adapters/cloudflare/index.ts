/** floodgate/cloudflare: Cloudflare Workers — Client from env bindings, TCP via cloudflare:sockets, client IP. */
export { cloudflareIp as clientIp } from '../../src/context/client-ip.ts'
export { clientFromEnv, type WorkersEnv } from './client.ts'
export { handle, requestClient, type WorkersHandler } from './handle.ts'
export { type CloudflareConnectLike, type CloudflareSocketLike, cloudflareConnect } from './socket.ts'
