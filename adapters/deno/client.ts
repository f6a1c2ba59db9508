/**
 * A Client from Deno's environment, reading only the four named variables with `Deno.env.get`:
 * `Deno.env.toObject()` fails under scoped permissions (`--allow-env=FLOODGATE_URL`). A refused
 * read is remembered, so a missing permission is reported as such rather than as a missing URL.
 */
import { type CreateClientOptions, clientFromEnv as fromEnv } from '../../src/client/create-client.ts'
import { ENV_NAMES, type EnvName, envReader } from '../../src/client/env.ts'
import type { Client } from '../../src/client/types.ts'
import { ConfigError } from '../../src/errors.ts'
import { connect } from './socket.ts'

interface DenoEnvLike {
  get(name: string): string | undefined
}

const denoEnv = (): DenoEnvLike => {
  const deno = (globalThis as { Deno?: { env: DenoEnvLike } }).Deno
  if (!deno) throw new ConfigError('floodgate/deno runs on Deno: on Node import floodgate/node instead')
  return deno.env
}

/**
 * Creates a Client from `FLOODGATE_URL` / `FLOODGATE_TOKEN` (or the Upstash pair); TCP URLs go
 * over `Deno.connect`. With no URL set, the in-process memory backend. Needs
 * `--allow-env=FLOODGATE_URL,FLOODGATE_TOKEN` and `--allow-net=<valkey or bridge host>`.
 *
 * @example
 * const client = clientFromEnv()
 * Deno.serve(async () => new Response(String(await client.send(['INCR', 'hits']))))
 */
export const clientFromEnv = (options: CreateClientOptions = {}): Client => {
  const refused: EnvName[] = []
  const read = envReader(denoEnv(), (name) => refused.push(name))
  const values = Object.fromEntries(ENV_NAMES.map((name) => [name, read(name)]))
  if (values.FLOODGATE_URL === undefined && refused.includes('FLOODGATE_URL')) {
    throw new ConfigError(
      `Deno refused to read ${refused.join(', ')}: run with --allow-env=${ENV_NAMES.slice(0, 2).join(',')}`,
    )
  }
  return fromEnv(values, { connect, ...options })
}
