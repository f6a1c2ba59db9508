/**
 * `npx tsx examples/fastify/server.ts`: the Fastify example, on the memory backend unless
 * FLOODGATE_URL points at Valkey or the bridge. Prints the URL and three curl commands.
 */
import { announce, stopOnSignal } from '../shared/announce.ts'
import { start } from './start.ts'

const { url, stop } = await start({ port: Number(process.env.PORT ?? 3000) })
announce('Fastify example', url)
stopOnSignal(stop)
