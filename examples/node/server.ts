/**
 * `npm start`: the example app on Node, on the in-process memory backend unless FLOODGATE_URL
 * points at Valkey (`redis://...`) or a bridge (`https://...`). Prints the URL and three curl
 * commands: log in, use the session, and run into the login limit.
 */
import { announce, stopOnSignal } from '../shared/announce.ts'
import { start } from './start.ts'

const { url, stop } = await start({ port: Number(process.env.PORT ?? 3000) })
announce('example', url)
stopOnSignal(stop)
