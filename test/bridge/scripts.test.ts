import { describe, expect, it } from 'vitest'
import { normaliseError, ScriptAliases, stripShebangFlags } from '../../src/bridge/scripts.ts'

const sha1 = async (text: string) =>
  Buffer.from(await crypto.subtle.digest('SHA-1', new TextEncoder().encode(text))).toString('hex')

describe('stripShebangFlags', () => {
  it('drops the flag Valkey does not know, keeping line numbers', () => {
    expect(stripShebangFlags('#!lua flags=allow-key-locking\nreturn 1')).toBe('\nreturn 1')
  })

  it('keeps the flags Valkey knows', () => {
    expect(stripShebangFlags('#!lua flags=no-writes,allow-key-locking\nreturn 1')).toBe(
      '#!lua flags=no-writes\nreturn 1',
    )
    expect(stripShebangFlags('#!lua name=lib flags=allow-key-locking\nreturn 1')).toBe(
      '#!lua name=lib\nreturn 1',
    )
  })

  it('returns the same string when there is nothing to strip', () => {
    for (const script of [
      'return 1',
      '#!lua\nreturn 1',
      '#!lua flags=no-writes\nreturn 1',
      '-- #!lua flags=x',
    ]) {
      expect(stripShebangFlags(script)).toBe(script)
    }
  })
})

describe('ScriptAliases', () => {
  it("maps the client's SHA of the original text to the SHA of the rewritten one", async () => {
    const aliases = new ScriptAliases()
    const original = '#!lua flags=allow-key-locking\nreturn redis.call("GET", KEYS[1])'
    expect(aliases.needsRewrite(original)).toBe(true)
    expect(aliases.needsRewrite('return 1')).toBe(false)
    const clientSha = await sha1(original)
    expect(aliases.sha(clientSha)).toBe(clientSha)
    const { script, clientSha: reported } = await aliases.rewrite(original)
    expect(reported).toBe(clientSha)
    expect(script).toBe('\nreturn redis.call("GET", KEYS[1])')
    expect(aliases.sha(clientSha)).toBe(await sha1(script))
    expect(aliases.sha(clientSha.toUpperCase())).toBe(await sha1(script))
  })

  it('forgets the oldest alias past its bound', async () => {
    const aliases = new ScriptAliases(2)
    const scripts = [1, 2, 3].map((n) => `#!lua flags=allow-key-locking\nreturn ${n}`)
    for (const s of scripts) await aliases.rewrite(s)
    const first = await sha1(scripts[0]!)
    const last = await sha1(scripts[2]!)
    expect(aliases.sha(first)).toBe(first)
    expect(aliases.sha(last)).not.toBe(last)
  })
})

describe('normaliseError', () => {
  it("rewrites Valkey's NOSCRIPT text to the one Redis and Upstash send", () => {
    expect(normaliseError('NOSCRIPT No matching script.')).toBe(
      'NOSCRIPT No matching script. Please use EVAL.',
    )
    expect(normaliseError('ERR other')).toBe('ERR other')
  })
})
