/**
 * Runs inside Deno without `--allow-env` (started by test/runtimes/app.deno.test.ts): clientFromEnv
 * must say which permission is missing, not claim the URL is unset.
 */
import { ConfigError } from 'floodgate'
import { clientFromEnv } from 'floodgate/deno'

Deno.test('clientFromEnv names the missing --allow-env permission', () => {
  let error: unknown
  try {
    clientFromEnv()
  } catch (caught) {
    error = caught
  }
  if (!(error instanceof ConfigError)) throw new Error(`expected a ConfigError, got ${String(error)}`)
  if (!/Deno refused to read FLOODGATE_URL.*--allow-env=FLOODGATE_URL,FLOODGATE_TOKEN/.test(error.message)) {
    throw new Error(`unexpected message: ${error.message}`)
  }
})
