/** The workerd built-in this adapter imports; bundlers for Workers leave it external. */
declare module 'cloudflare:sockets' {
  export const connect: import('./socket.ts').CloudflareConnectLike
}
