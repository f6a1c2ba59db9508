/** floodgate/vercel: Vercel Edge — Client from process.env (HTTP only), client IP, waitUntil. */
export { vercelIp as clientIp } from '../../src/context/client-ip.ts'
export { clientFromEnv } from './client.ts'
export { handle, waitUntil } from './handle.ts'
