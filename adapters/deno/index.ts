/** floodgate/deno: Deno — Client from Deno.env (named variables only), TCP via Deno.connect, client IP, background work. */
export { type Background, createBackground, withContext as handle } from '../../src/context/background.ts'
export { denoIp as clientIp } from '../../src/context/client-ip.ts'
export { clientFromEnv } from './client.ts'
export { connect, createDenoConnect, type DenoConnLike, type DenoNetLike } from './socket.ts'
