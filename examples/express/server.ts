/**
 * `npx tsx examples/express/server.ts`: the Express example, on the memory backend unless
 * FLOODGATE_URL points at Valkey or the bridge. Prints the URL and three curl commands.
 */
import { start } from './start.ts'

const { url, stop } = await start({ port: Number(process.env.PORT ?? 3000) })
const backend = process.env.FLOODGATE_URL ? (process.env.FLOODGATE_URL.split(':')[0] ?? '') : 'in-memory'
const json = `-H 'content-type: application/json'`

console.log(`floodgate Express example listening on ${url} (backend: ${backend})

  # 1. log in: the response sets the session cookie
  curl -i -c /tmp/floodgate.jar ${json} -d '{"username":"alice","password":"correct horse"}' ${url}/login

  # 2. the session cookie round trip
  curl -b /tmp/floodgate.jar ${url}/me

  # 3. keep guessing: 401 until the 6th login attempt from your IP in 15 minutes, then 429
  for i in 1 2 3 4 5 6; do curl -s -o /dev/null -w '%{http_code} ' ${json} -d '{"username":"bob","password":"nope"}' ${url}/login; done; echo
`)

const shutdown = () => void stop().then(() => process.exit(0))
process.once('SIGINT', shutdown)
process.once('SIGTERM', shutdown)
