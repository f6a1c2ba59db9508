/**
 * The environment table (test/client/env.cases.ts) inside Deno against floodgate/deno's
 * `clientFromEnv`, which reads the real `Deno.env`: each row is set with `Deno.env.set`. Run by
 * `test/runtimes/env.deno.test.ts` with `--allow-env` for the four names and `ENV_BASE`, the
 * recording server's URL.
 */
import { clientFromEnv } from '../../../adapters/deno/client.ts'
import { ENV_NAMES } from '../../../src/client/env.ts'
import { ENV_CASES, runEnvCases, type Seen } from '../../client/env.cases.ts'

const base = Deno.env.get('ENV_BASE')!
const seen = async () => (await (await fetch(`${base}/__seen`)).json()) as Seen[]

const results = await runEnvCases(
  (env, token) => {
    for (const name of ENV_NAMES) {
      if (env[name] === undefined) Deno.env.delete(name)
      else Deno.env.set(name, env[name])
    }
    return clientFromEnv(token === undefined ? {} : { token })
  },
  base,
  seen,
  'memory',
)

for (const [i, result] of results.entries()) {
  Deno.test(ENV_CASES[i]!.name, () => {
    if (!result.ok) throw new Error(result.detail)
  })
}
