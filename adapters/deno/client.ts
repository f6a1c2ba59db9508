/**
 * A Client from Deno's environment, reading only the four named variables with `Deno.env.get`:
 * `Deno.env.toObject()` fails under scoped permissions (`--allow-env=FLOODGATE_URL`). A refused
 * read is remembered, so a missing permission is reported as such rather than as a missing URL.
 */
import { type CreateClientOptions, clientFromEnv as fromEnv } from '../../src/client/create-client.ts'
import type { Client } from '../../src/client/types.ts'
import { ConfigError } from '../../src/errors.ts'
import { connect } from './socket.ts'

const NAMES = [
  'FLOODGATE_URL',
  'FLOODGATE_TOKEN',
  'UPSTASH_REDIS_REST_URL',
  'UPSTASH_REDIS_REST_TOKEN',
] as const

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
  const env = denoEnv()
  const values: Record<string, string | undefined> = {}
  const refused: string[] = []
  for (const name of NAMES) {
    try {
      values[name] = env.get(name)
    } catch {
      refused.push(name)
    }
  }
  if (!values.FLOODGATE_URL && refused.includes('FLOODGATE_URL')) {
    throw new ConfigError(
      `Deno refused to read ${refused.join(', ')}: run with --allow-env=${NAMES.slice(0, 2).join(',')}`,
    )
  }
  return fromEnv(values, { connect, ...options })
}
