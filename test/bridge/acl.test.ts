/**
 * Valkey enforces the bridge's command policy: each token class runs as its own ACL user, so a
 * command refused at the door is refused inside a script or a function too, and a MONITOR on
 * Valkey sees none of them run. Regressions of issue 12 (items 1 and 2): `EVAL "return
 * redis.call('FLUSHALL')" 0` emptied the database with a full token, and `SCRIPT DEBUG` froze
 * Valkey for everyone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect } from '../../src/bridge/node/socket.ts'
import { BRIDGE_OWN, createPolicy } from '../../src/bridge/policy.ts'
import { createTcpClient } from '../../src/client/tcp/client.ts'
import type { Client } from '../../src/client/types.ts'
import { type Monitor, startMonitor } from '../support/monitor.ts'
import { useValkey } from '../support/use-valkey.ts'
import { post, READ_TOKEN, useBridge } from './support.ts'

const valkey = useValkey()
const bridge = useBridge(valkey)
const read = { authorization: `Bearer ${READ_TOKEN}` }
let monitor: Monitor
let admin: Client
beforeAll(async () => {
  monitor = await startMonitor(valkey.server.port)
  admin = createTcpClient({ url: valkey.url, connect })
})
afterAll(async () => {
  monitor.close()
  await admin.close()
})

const REFUSED_INSIDE =
  /ACL failure in script: User floodgate-full has no permissions to run the '(\w+)' command/

describe('the command policy inside scripts and functions', () => {
  it('refuses FLUSHALL, FLUSHDB, SWAPDB and MIGRATE inside EVAL, and the data stays', async () => {
    expect((await post(bridge.url, ['SET', 'keep', '1'])).status).toBe(200)
    const cases: Array<[string, string]> = [
      ["return redis.call('FLUSHALL')", 'flushall'],
      ["return redis.call('FLUSHDB')", 'flushdb'],
      ["return redis.call('SWAPDB', 0, 1)", 'swapdb'],
      ["return redis.call('MIGRATE', '127.0.0.1', '1', 'keep', 0, 10)", 'migrate'],
    ]
    for (const [script, command] of cases) {
      const answer = await post(bridge.url, ['EVAL', script, '0'])
      expect(answer.status, script).toBe(400)
      expect((answer.json as { error: string }).error, script).toMatch(REFUSED_INSIDE)
      expect((answer.json as { error: string }).error.match(REFUSED_INSIDE)![1]).toBe(command)
    }
    expect((await post(bridge.url, ['GET', 'keep'])).json).toEqual({ result: '1' })
  })

  it('refuses FLUSHDB inside a function loaded with FUNCTION LOAD and called with FCALL', async () => {
    const library = [
      '#!lua name=wipe',
      "server.register_function('wipe', function() return server.call('FLUSHDB') end)",
    ].join('\n')
    expect(await post(bridge.url, ['FUNCTION', 'LOAD', 'REPLACE', library])).toMatchObject({
      status: 200,
      json: { result: 'wipe' },
    })
    const call = await post(bridge.url, ['FCALL', 'wipe', '0'])
    expect(call.status).toBe(400)
    expect((call.json as { error: string }).error).toMatch(/no permissions to run the 'flushdb' command/)
    expect((await post(bridge.url, ['GET', 'keep'])).json).toEqual({ result: '1' })
    // FUNCTION DELETE goes where FUNCTION LOAD goes.
    expect(await post(bridge.url, ['FUNCTION', 'DELETE', 'wipe'])).toMatchObject({
      status: 200,
      json: { result: 'OK' },
    })
  })

  it('lets a read-only token script read commands only (KEYS is not one of them)', async () => {
    expect(await post(bridge.url, ['EVAL_RO', "return redis.call('GET', 'keep')", '0'], read)).toMatchObject({
      status: 200,
      json: { result: '1' },
    })
    const keys = await post(bridge.url, ['EVAL_RO', "return redis.call('KEYS', '*')", '0'], read)
    expect(keys.status).toBe(400)
    expect((keys.json as { error: string }).error).toMatch(
      /User floodgate-ro has no permissions to run the 'keys' command/,
    )
  })

  it('refuses SCRIPT DEBUG, DEBUG and MONITOR for every token and keeps serving', async () => {
    for (const headers of [{}, read]) {
      const pipeline = await post(
        `${bridge.url}/pipeline`,
        [
          ['SCRIPT', 'DEBUG', 'SYNC'],
          ['EVAL_RO', 'return 1', '0'],
        ],
        headers,
      )
      expect(pipeline.status).toBe(200)
      const [debug, after] = pipeline.json as Array<{ error?: string; result?: unknown }>
      expect(debug!.error).toMatch(/^ERR SCRIPT DEBUG is not allowed through the bridge/)
      expect(after).toEqual({ result: 1 })
      expect((await post(bridge.url, ['DEBUG', 'SLEEP', '0'], headers)).json).toEqual({
        error:
          'ERR DEBUG is not allowed through the bridge: it can stall Valkey for every client or take over the shared upstream connection',
      })
      expect((await post(bridge.url, ['MONITOR'], headers)).status).toBe(400)
    }
    expect((await post(bridge.url, ['PING'])).json).toEqual({ result: 'PONG' })
    // Valkey would refuse them too.
    for (const user of ['floodgate-full', 'floodgate-ro']) {
      for (const command of [['SCRIPT', 'DEBUG', 'YES'], ['DEBUG', 'SLEEP', '0'], ['MONITOR']]) {
        expect(String(await admin.send(['ACL', 'DRYRUN', user, ...command]))).toMatch(/no permissions/)
      }
    }
  })

  it('lets a full token send SCRIPT KILL and FUNCTION KILL to Valkey, not a read-only one', async () => {
    for (const command of [
      ['SCRIPT', 'KILL'],
      ['FUNCTION', 'KILL'],
    ]) {
      const full = await post(bridge.url, command)
      expect(full.status).toBe(400)
      // Valkey's own answer: no script is running.
      expect((full.json as { error: string }).error).toMatch(/^NOTBUSY /)
      expect((await post(bridge.url, command, read)).json).toEqual({
        error: `NOPERM this token is read-only and ${command[0]} is not a read command`,
      })
    }
  })

  it('lets no refused command reach Valkey: MONITOR saw none run, in scripts or not', async () => {
    expect((await post(bridge.url, ['FLUSHALL'])).status).toBe(400)
    const lines = await monitor.lines()
    const ran = lines.map(
      (line) => `${line.source === 'lua' ? 'lua ' : ''}${line.args.join(' ').toLowerCase()}`,
    )
    // The scripts themselves did run (so the test saw them), their refused commands did not.
    expect(ran.some((line) => line.startsWith("eval return redis.call('flushall')"))).toBe(true)
    expect(ran).toContain('lua get keep')
    for (const refused of [
      'flushall',
      'flushdb',
      'swapdb',
      'migrate',
      'keys',
      'script debug',
      'debug',
      'monitor',
    ]) {
      expect(
        ran.filter(
          (line) => line === refused || line.startsWith(`${refused} `) || line.startsWith(`lua ${refused}`),
        ),
        refused,
      ).toEqual([])
    }
  })
})

describe('the ACL users mirror the policy', () => {
  it('agree with the bridge on every command and subcommand Valkey knows', async () => {
    const policy = createPolicy()
    const table = (await admin.send(['COMMAND'])) as unknown[][]
    const entries: Array<{ args: string[]; arity: number }> = []
    for (const command of table) {
      const subcommands = (command[9] ?? []) as unknown[][]
      if (subcommands.length === 0) entries.push({ args: [String(command[0])], arity: Number(command[1]) })
      for (const sub of subcommands) {
        entries.push({ args: String(sub[0]).split('|'), arity: Number(sub[1]) })
      }
    }
    expect(entries.length).toBeGreaterThan(300)
    const disagreements: string[] = []
    for (const { args, arity } of entries) {
      const padding = Math.max(0, Math.abs(arity) - args.length)
      const full = [...args, ...new Array<string>(padding).fill('x')]
      const name = args[0]!.toUpperCase()
      // Valkey lets every user run AUTH, HELLO, QUIT and RESET; the bridge sends MULTI/EXEC/DISCARD itself.
      if (
        ['AUTH', 'HELLO', 'QUIT', 'RESET'].includes(name) ||
        (BRIDGE_OWN as readonly string[]).includes(name)
      )
        continue
      for (const [user, readOnly] of [
        ['floodgate-full', false],
        ['floodgate-ro', true],
      ] as const) {
        const valkeySays = String(await admin.send(['ACL', 'DRYRUN', user, ...full]))
        if (valkeySays !== 'OK' && !valkeySays.includes('no permissions')) {
          throw new Error(`ACL DRYRUN ${full.join(' ')}: ${valkeySays}`)
        }
        const bridgeAllows = policy(full, readOnly) === undefined
        if (bridgeAllows !== (valkeySays === 'OK')) {
          disagreements.push(`${user} ${args.join(' ')}: bridge ${bridgeAllows}, valkey ${valkeySays}`)
        }
      }
    }
    expect(disagreements).toEqual([])
  })
})
