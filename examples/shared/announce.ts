/**
 * What the Node examples print when they start (the URL, the backend, and three curl commands: log
 * in, use the session, run into the login limit), and their shutdown on SIGINT or SIGTERM.
 */

/** Prints `floodgate <name> listening on <url> (backend: …)` and the three commands to try. */
export const announce = (name: string, url: string): void => {
  const backend = process.env.FLOODGATE_URL ? (process.env.FLOODGATE_URL.split(':')[0] ?? '') : 'in-memory'
  const json = `-H 'content-type: application/json'`
  console.log(`floodgate ${name} listening on ${url} (backend: ${backend})

  # 1. log in: the response sets the session cookie
  curl -i -c /tmp/floodgate.jar ${json} -d '{"username":"alice","password":"correct horse"}' ${url}/login

  # 2. the session cookie round trip
  curl -b /tmp/floodgate.jar ${url}/me

  # 3. keep guessing: 401 until the 6th login attempt from your IP in 15 minutes, then 429
  for i in 1 2 3 4 5 6; do curl -s -o /dev/null -w '%{http_code} ' ${json} -d '{"username":"bob","password":"nope"}' ${url}/login; done; echo
`)
}

/** Stops the server on SIGINT or SIGTERM, then exits. */
export const stopOnSignal = (stop: () => Promise<void>): void => {
  const shutdown = () => void stop().then(() => process.exit(0))
  process.once('SIGINT', shutdown)
  process.once('SIGTERM', shutdown)
}
