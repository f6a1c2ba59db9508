/**
 * The ACL rules follow the configuration: an allow-listed command is allowed in the user too, a
 * database other than 0 allows SELECT, a cluster lets the read-only user read the slot map. (The
 * agreement with the policy on every command is checked against Valkey in acl.test.ts.)
 */
import { describe, expect, it } from 'vitest'
import { aclRules, aclSetUser, sha256Hex } from '../../src/bridge/acl-rules.ts'
import { describeFailure } from '../../src/bridge/upstream-state.ts'
import { ReplyError, TimeoutError, TransportError } from '../../src/errors.ts'

describe('aclRules', () => {
  it('refuses the dangerous commands to the full user unless allow-listed', () => {
    const strict = aclRules('full')
    expect(strict).toContain('-flushdb')
    expect(strict).not.toContain('+client|kill')
    const allowing = aclRules('full', { allow: ['flushdb', 'CLIENT|KILL'] })
    expect(allowing).not.toContain('-flushdb')
    expect(allowing).toContain('-flushall')
    expect(allowing).toContain('+client|kill')
    expect(allowing.indexOf('+client|kill')).toBeGreaterThan(allowing.indexOf('-client'))
  })

  it('never lets an allow-list give the read-only user a write, and adds SELECT and cluster reads when needed', () => {
    expect(aclRules('read-only', { allow: ['FLUSHDB'] })).not.toContain('+flushdb')
    expect(aclRules('read-only')).not.toContain('+select')
    expect(aclRules('read-only', { select: true }).at(-1)).toBe('+select')
    expect(aclRules('read-only', { cluster: true })).toEqual(
      expect.arrayContaining(['+asking', '+cluster|shards']),
    )
  })

  it('sends the password as its SHA-256, replacing the others only when asked', async () => {
    const sha256 = await sha256Hex('a-password') // as `printf a-password | sha256sum`
    expect(sha256).toBe('e9fad6b0fee5a53813e888b6a3c63a843395ab112b51495a30c1b00a0e5f89e0')
    expect(aclSetUser('u', { sha256 }, ['on'], true)).toEqual([
      'ACL',
      'SETUSER',
      'u',
      'resetpass',
      `#${sha256}`,
      'on',
    ])
    expect(aclSetUser('u', { sha256 }, ['on'], false)).toEqual(['ACL', 'SETUSER', 'u', `#${sha256}`, 'on'])
  })
})

describe('describeFailure', () => {
  it('tells a refused password from an unreachable server and a TLS failure', () => {
    const refused = new TransportError('the server refused the connection setup (WRONGPASS)', {
      cause: new ReplyError('WRONGPASS invalid username-password pair or user is disabled.'),
    })
    expect(describeFailure(refused)).toMatchObject({ kind: 'auth', code: 'WRONGPASS' })
    const down = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' })
    expect(
      describeFailure(new TransportError('cannot connect to 127.0.0.1:1', { cause: down })),
    ).toMatchObject({
      kind: 'unreachable',
      code: 'ECONNREFUSED',
      detail: 'cannot connect to 127.0.0.1:1: connect ECONNREFUSED 127.0.0.1:1',
    })
    const tls = Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' })
    expect(describeFailure(new TransportError('cannot connect', { cause: tls }))).toMatchObject({
      kind: 'tls',
    })
    expect(describeFailure(new TimeoutError('slow'))).toMatchObject({ kind: 'timeout' })
  })
})
