/**
 * Lua compatibility with Upstash. `@upstash/ratelimit` >= 2.1 starts every script with
 * `#!lua flags=allow-key-locking`, a flag only Upstash knows; Valkey refuses it ("Unexpected flag
 * in script shebang"). The bridge drops flags Valkey does not know from EVAL and SCRIPT LOAD, and
 * remembers which SHA the client computed (over the original text) for which SHA Valkey caches
 * (over the rewritten text), so the client's EVALSHA hits the cache: one round trip per call.
 * Valkey's NOSCRIPT text is rewritten to the one Redis and Upstash send.
 */

/** The shebang flags Valkey 8 accepts (`scripts_flags_def` in valkey src/script.c). */
const VALKEY_FLAGS = new Set(['no-writes', 'allow-oom', 'allow-stale', 'no-cluster', 'allow-cross-slot-keys'])

/**
 * Returns the script with unknown shebang flags removed, or the same string when there is nothing
 * to remove. With no flag left the shebang line becomes empty, keeping line numbers in errors.
 */
export const stripShebangFlags = (script: string): string => {
  if (!script.startsWith('#!')) return script
  const end = script.indexOf('\n')
  const line = end === -1 ? script : script.slice(0, end)
  const match = /^#!(\S+)((?:\s+\S+)*)\s*$/.exec(line)
  if (!match) return script
  let changed = false
  const kept: string[] = []
  for (const part of match[2]!.trim().split(/\s+/)) {
    if (!part.startsWith('flags=')) {
      if (part) kept.push(part)
      continue
    }
    const flags = part.slice(6).split(',')
    const known = flags.filter((flag) => VALKEY_FLAGS.has(flag))
    if (known.length !== flags.length) changed = true
    if (known.length > 0) kept.push(`flags=${known.join(',')}`)
  }
  if (!changed) return script
  const rest = end === -1 ? '' : script.slice(end)
  if (kept.length === 0) return match[1] === 'lua' ? rest : `#!${match[1]}${rest}`
  return `#!${match[1]} ${kept.join(' ')}${rest}`
}

const hex = (bytes: ArrayBuffer): string => {
  let out = ''
  for (const b of new Uint8Array(bytes)) out += b.toString(16).padStart(2, '0')
  return out
}

const sha1 = async (text: string): Promise<string> =>
  hex(await crypto.subtle.digest('SHA-1', new TextEncoder().encode(text)))

/** The text Redis and Upstash send for NOSCRIPT; Valkey 8 stops after "script.". */
export const NOSCRIPT_MESSAGE = 'NOSCRIPT No matching script. Please use EVAL.'

/** Rewrites Valkey's NOSCRIPT error text to the Redis/Upstash one; other errors pass through. */
export const normaliseError = (message: string): string =>
  message.startsWith('NOSCRIPT') ? NOSCRIPT_MESSAGE : message

/**
 * Remembers original-SHA -> rewritten-SHA for the scripts whose flags were stripped. Bounded: the
 * oldest entries go first; a forgotten one costs the client one NOSCRIPT and one EVAL.
 */
export class ScriptAliases {
  readonly #aliases = new Map<string, string>()
  readonly #rewritten = new Map<string, { script: string; clientSha: string }>()
  readonly #max: number

  constructor(max = 1000) {
    this.#max = max
  }

  /** The SHA Valkey knows the script as (the client's SHA when no rewrite happened). */
  sha(clientSha: string): string {
    return this.#aliases.get(clientSha.toLowerCase()) ?? clientSha
  }

  /** Whether `script` needs a rewrite; cheap enough to call on every EVAL. */
  needsRewrite(script: string): boolean {
    return script.startsWith('#!') && stripShebangFlags(script) !== script
  }

  /** Rewrites `script` and records the alias; returns the text to send and the client's SHA. */
  async rewrite(script: string): Promise<{ script: string; clientSha: string }> {
    const cached = this.#rewritten.get(script)
    if (cached !== undefined) return cached
    const rewritten = { script: stripShebangFlags(script), clientSha: await sha1(script) }
    this.#remember(this.#rewritten, script, rewritten)
    this.#remember(this.#aliases, rewritten.clientSha, await sha1(rewritten.script))
    return rewritten
  }

  #remember<V>(map: Map<string, V>, key: string, value: V): void {
    map.set(key, value)
    if (map.size > this.#max) map.delete(map.keys().next().value!)
  }
}
