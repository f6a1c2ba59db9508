/**
 * `npm start`: the example app on Node, on the in-process memory backend unless FLOODGATE_URL
 * points at Valkey (`redis://...`) or a bridge (`https://...`). Prints the URL and three curl
 * commands: log in, use the session, and run into the login limit.
 */
import { announce, stopOnSignal } from '../shared/announce.ts'
import { start } from './start.ts'

const port = Number(process.env.PORT ?? 3000)
const { url, stop } = await start({ port }).catch((error: NodeJS.ErrnoException) => {
  if (error.code !== 'EADDRINUSE') throw error
  console.error(`port ${port} is in use: stop what holds it, or pick another (PORT=3001 npm start)`)
  process.exit(1)
})
announce('example', url)
stopOnSignal(stop)
