/** floodgate/deno: Deno pieces (the TCP socket over `Deno.connect`). */
export { connect, createDenoConnect, type DenoConnLike, type DenoNetLike } from './socket.ts'
