/**
 * The one place a client's environment is read. Every factory — `clientFromEnv` and the four
 * adapters' — hands its runtime's variables to `resolveEnv`, so one precedence rule holds on
 * Node, Deno, Workers and Vercel alike:
 *
 * 1. explicit options (`token`) win;
 * 2. then `FLOODGATE_URL` with `FLOODGATE_TOKEN`;
 * 3. then `UPSTASH_REDIS_REST_URL` with `UPSTASH_REDIS_REST_TOKEN`, or `FLOODGATE_TOKEN` when the
 *    Upstash token is not set (a bridge reached through the Upstash variable names).
 *
 * A token is never taken across from the Upstash pair to a `FLOODGATE_URL`: that would send
 * Upstash's secret to another host. Pure: no runtime globals, no I/O.
 */
import { ConfigError } from '../errors.ts'

/** The four variables a client reads, spelled out here only. */
export const ENV_NAMES = [
  'FLOODGATE_URL',
  'FLOODGATE_TOKEN',
  'UPSTASH_REDIS_REST_URL',
  'UPSTASH_REDIS_REST_TOKEN',
] as const

export type EnvName = (typeof ENV_NAMES)[number]

/** A runtime's variables as floodgate sees them (a Worker's `env`, a slice of `process.env`). */
export type ClientEnv = { readonly [name in EnvName]?: string | undefined }

/** Reads one variable by name; `undefined` when it is not set. */
export type ReadEnv = (name: EnvName) => string | undefined

/** Where the client connects: the URL (none: the factory's default) and the bearer token. */
export interface Resolved {
  url?: string
  token?: string
}

const clean = (value: string | undefined): string | undefined => {
  const trimmed = value?.trim()
  return trimmed ? trimmed : undefined
}

/**
 * The URL and token from explicit options and the environment, by the one rule above. Throws a
 * `ConfigError` only when an Upstash URL has no token from anywhere (the explicit one included).
 *
 * @example
 * resolveEnv((name) => process.env[name], {}) // { url: 'https://bridge.example', token: '...' }
 */
export const resolveEnv = (read: ReadEnv, explicit: { token?: string | undefined } = {}): Resolved => {
  const [floodgate, floodgateToken, upstashUrl, upstashToken] = ENV_NAMES.map((name) => clean(read(name)))
  const upstash = floodgate === undefined ? upstashUrl : undefined
  const url = floodgate ?? upstash
  const token =
    clean(explicit.token) ?? (upstash === undefined ? floodgateToken : (upstashToken ?? floodgateToken))
  if (upstash !== undefined && token === undefined) {
    throw new ConfigError('UPSTASH_REDIS_REST_URL is set but UPSTASH_REDIS_REST_TOKEN is not: set both')
  }
  return { ...(url === undefined ? {} : { url }), ...(token === undefined ? {} : { token }) }
}

/** Where `clientFromEnv` reads: a plain record (`process.env`, a Worker env) or `{ get }` (Deno.env). */
export type EnvLike = Readonly<Record<string, string | undefined>> | { get(name: string): string | undefined }

/**
 * A `ReadEnv` over a record or an object with `get`. A `get` that throws (Deno without
 * `--allow-env` for that name) is reported through `refused` and read as unset.
 *
 * @example
 * resolveEnv(envReader(process.env))
 */
export const envReader = (env: EnvLike, refused?: (name: EnvName) => void): ReadEnv => {
  if (typeof (env as { get?: unknown }).get === 'function') {
    const source = env as { get(name: string): string | undefined }
    return (name) => {
      try {
        return source.get(name)
      } catch {
        refused?.(name)
        return undefined
      }
    }
  }
  const record = env as Readonly<Record<string, string | undefined>>
  return (name) => record[name]
}

/**
 * The four variables from `process.env`, each named in full: Next.js (Vercel) inlines only the
 * variables code names explicitly, so `process.env[name]` would read nothing there.
 *
 * @example
 * resolveEnv(envReader(processEnv()))
 */
export const processEnv = (): ClientEnv => {
  if (typeof process === 'undefined' || !process.env) return {}
  return {
    FLOODGATE_URL: process.env.FLOODGATE_URL,
    FLOODGATE_TOKEN: process.env.FLOODGATE_TOKEN,
    UPSTASH_REDIS_REST_URL: process.env.UPSTASH_REDIS_REST_URL,
    UPSTASH_REDIS_REST_TOKEN: process.env.UPSTASH_REDIS_REST_TOKEN,
  }
}
