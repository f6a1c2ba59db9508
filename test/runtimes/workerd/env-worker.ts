/**
 * A Worker that runs the environment table (test/client/env.cases.ts) against floodgate/cloudflare's
 * `clientFromEnv` inside workerd. `?base=` is the recording server's URL; each case's client
 * PINGs it over fetch and the Worker asks the server what it saw.
 */
import { clientFromEnv } from '../../../adapters/cloudflare/client.ts'
import { runEnvCases, type Seen } from '../../client/env.cases.ts'

export default {
  async fetch(request: Request): Promise<Response> {
    const base = new URL(request.url).searchParams.get('base')!
    const seen = async () => (await (await fetch(`${base}/__seen`)).json()) as Seen[]
    const results = await runEnvCases(
      (env, token) => clientFromEnv(env, token === undefined ? {} : { token }),
      base,
      seen,
      'refuse',
    )
    return Response.json(results)
  },
}
