/** floodgate/cloudflare: Cloudflare Workers pieces (the TCP socket over `cloudflare:sockets`). */
export { type CloudflareConnectLike, type CloudflareSocketLike, cloudflareConnect } from './socket.ts'
