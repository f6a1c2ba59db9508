/** The workerd built-in the client-suite worker imports; the bundler leaves it external. */
declare module 'cloudflare:sockets' {
  export const connect: import('../../../adapters/cloudflare/socket.ts').CloudflareConnectLike
}
