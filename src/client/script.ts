/**
 * Lua scripts: one object holding the Lua source and, optionally, its TypeScript twin for the
 * memory backend; and the EVALSHA-then-EVAL call every network transport shares.
 */
import { ReplyError } from '../errors.ts'
import type { Arg, Command, Reply, Script, ScriptTwin, SendOptions } from './types.ts'

/**
 * Defines a script. Start `lua` with a comment naming its KEYS and ARGV.
 *
 * @example
 * const incrWithTtl = defineScript({
 *   name: 'incrWithTtl',
 *   lua: `-- KEYS[1] counter; ARGV[1] ttl ms
 * local n = redis.call('INCR', KEYS[1]) redis.call('PEXPIRE', KEYS[1], ARGV[1]) return n`,
 *   twin: (redis, keys, argv) => {
 *     const n = redis.call('INCR', keys[0]!)
 *     redis.call('PEXPIRE', keys[0]!, argv[0]!)
 *     return n
 *   },
 * })
 */
export const defineScript = (definition: { name: string; lua: string; twin?: ScriptTwin }): Script => ({
  ...definition,
})

const hex = (bytes: ArrayBuffer): string => {
  let out = ''
  for (const b of new Uint8Array(bytes)) out += b.toString(16).padStart(2, '0')
  return out
}

// The digest in progress per script: concurrent first calls await one promise, so they resume in
// the same microtask run and the HTTP client's auto-pipelining still batches them. With a digest
// each, they resumed one by one as WebCrypto finished, went out as single requests, and stayed
// apart: 50 in flight on the global fetch made 3.3 decisions per request instead of 50.
const digests = new WeakMap<Script, Promise<ArrayBuffer>>()

/** The script's SHA1 as Valkey computes it, computed once with WebCrypto and kept on the script. */
export const scriptSha = async (script: Script): Promise<string> => {
  if (script.sha === undefined) {
    let digest = digests.get(script)
    if (digest === undefined) {
      digest = crypto.subtle.digest('SHA-1', new TextEncoder().encode(script.lua))
      digests.set(script, digest)
    }
    script.sha = hex(await digest)
  }
  return script.sha
}

/**
 * Runs `script` through `send`: EVALSHA first, EVAL only when the server answers NOSCRIPT (told by
 * the error's code, never by its text), so a warm script costs one round trip.
 */
export const runScript = async (
  send: (command: Command, options?: SendOptions) => Promise<Reply>,
  script: Script,
  keys: readonly string[],
  args: readonly Arg[],
  options?: SendOptions,
): Promise<Reply> => {
  const sha = script.sha ?? (await scriptSha(script))
  try {
    return await send(['EVALSHA', sha, keys.length, ...keys, ...args], options)
  } catch (error) {
    if (!(error instanceof ReplyError) || error.code !== 'NOSCRIPT') throw error
    return send(['EVAL', script.lua, keys.length, ...keys, ...args], options)
  }
}
