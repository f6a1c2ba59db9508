import { describe, expect, it } from 'vitest'
import { createPolicy, DANGEROUS_COMMANDS } from '../../src/bridge/policy.ts'

describe('createPolicy', () => {
  const policy = createPolicy()

  it('lets ordinary commands through, whatever their case', () => {
    for (const args of [
      ['get', 'k'],
      ['SET', 'k', 'v'],
      ['evalsha', 'abc', '0'],
      ['xread', 'STREAMS', 's', '0'],
    ]) {
      expect(policy(args, false)).toBeUndefined()
    }
  })

  it('refuses every dangerous command by default and names the flag that allows it', () => {
    for (const entry of DANGEROUS_COMMANDS) {
      const message = policy(entry.split(' '), false)
      expect(message).toMatch(/^NOPERM /)
      expect(message).toContain(`--allow-command "${entry}"`)
    }
    expect(policy(['flushall'], false)).toMatch(/FLUSHALL is refused/)
    expect(policy(['client', 'kill', 'ID', '1'], false)).toMatch(/CLIENT KILL is refused/)
    expect(policy(['function', 'flush'], false)).toMatch(/FUNCTION FLUSH is refused/)
  })

  it('runs an allow-listed command, and only that one', () => {
    const allowing = createPolicy({ allow: ['flushdb', 'CLIENT|KILL'] })
    expect(allowing(['FLUSHDB'], false)).toBeUndefined()
    expect(allowing(['CLIENT', 'KILL', 'ID', '7'], false)).toBeUndefined()
    expect(allowing(['FLUSHALL'], false)).toMatch(/NOPERM/)
    expect(allowing(['CLIENT', 'PAUSE', '10'], false)).toMatch(/NOPERM/)
  })

  it('throws a TypeError for an allow-list entry that is not a refused command', () => {
    expect(() => createPolicy({ allow: ['GET'] })).toThrow(TypeError)
    expect(() => createPolicy({ allow: ['HGET'] })).toThrow(/not a refused command/)
    expect(() => createPolicy({ allow: ['BLPOP'] })).toThrow(/BLPOP is never allowed/)
    expect(() => createPolicy({ allow: ['SCRIPT DEBUG'] })).toThrow(/SCRIPT DEBUG is never allowed/)
  })

  it('always refuses blocking commands, transactions, WATCH and connection state, even when allow-listed', () => {
    const allowing = createPolicy({ allow: DANGEROUS_COMMANDS })
    const cases: Array<[string[], RegExp]> = [
      [['BLPOP', 'q', '0'], /blocking/],
      [['bzpopmin', 'z', '1'], /blocking/],
      [['XREAD', 'BLOCK', '0', 'STREAMS', 's', '$'], /XREAD BLOCK/],
      [['xreadgroup', 'GROUP', 'g', 'c', 'block', '10', 'STREAMS', 's', '>'], /BLOCK/],
      [['WAIT', '1', '0'], /blocking/],
      [['WATCH', 'k'], /WATCH needs a connection/],
      [['MULTI'], /multi-exec/],
      [['EXEC'], /multi-exec/],
      [['SUBSCRIBE', 'c'], /\/subscribe/],
      [['SELECT', '1'], /shared upstream connection/],
      [['HELLO', '3'], /shared upstream connection/],
      [['CLIENT', 'REPLY', 'OFF'], /CLIENT REPLY/],
      [['CLIENT', 'SETNAME', 'x'], /CLIENT SETNAME/],
    ]
    for (const [args, message] of cases) expect(allowing(args, false)).toMatch(message)
    expect(allowing(['CLIENT', 'ID'], false)).toBeUndefined()
  })

  it('always refuses DEBUG, MONITOR and SCRIPT DEBUG, which stall or take over Valkey', () => {
    const allowing = createPolicy({ allow: DANGEROUS_COMMANDS })
    for (const args of [['DEBUG', 'SLEEP', '10'], ['monitor'], ['SCRIPT', 'debug', 'SYNC']]) {
      expect(allowing(args, false)).toMatch(/is not allowed through the bridge: it can stall Valkey/)
      expect(allowing(args, true)).toMatch(/is not allowed through the bridge/)
    }
    expect(() => createPolicy({ allow: ['DEBUG'] })).toThrow(/never allowed/)
  })

  it('lets full tokens end scripts and delete functions', () => {
    expect(policy(['SCRIPT', 'KILL'], false)).toBeUndefined()
    expect(policy(['FUNCTION', 'KILL'], false)).toBeUndefined()
    expect(policy(['FUNCTION', 'DELETE', 'lib'], false)).toBeUndefined()
    expect(policy(['FUNCTION', 'DELETE', 'lib'], true)).toMatch(/read-only/)
  })

  it('limits read-only tokens to read commands', () => {
    expect(policy(['GET', 'k'], true)).toBeUndefined()
    expect(policy(['hgetall', 'h'], true)).toBeUndefined()
    expect(policy(['EVALSHA_RO', 'abc', '0'], true)).toBeUndefined()
    expect(policy(['SCRIPT', 'EXISTS', 'abc'], true)).toBeUndefined()
    expect(policy(['SET', 'k', 'v'], true)).toMatch(/^NOPERM this token is read-only and SET/)
    expect(policy(['EVAL', 'return 1', '0'], true)).toMatch(/read-only/)
    expect(policy(['SCRIPT', 'LOAD', 'return 1'], true)).toMatch(/read-only/)
    expect(policy(['PUBLISH', 'c', 'm'], true)).toMatch(/read-only/)
    expect(policy(['KEYS', '*'], true)).toMatch(/read-only/)
  })

  it('handles a raw-body argument (bytes) without throwing', () => {
    expect(policy(['SET', 'k', new Uint8Array([0xff, 0x00])], false)).toBeUndefined()
    expect(policy(['XREAD', new Uint8Array([1]), 'STREAMS', 's', '0'], false)).toBeUndefined()
  })
})
