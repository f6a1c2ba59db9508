/**
 * The bridge as operators run it (a CLI process): `--version`, ACL users created by the operator
 * from `--print-acl` (the bridge not allowed to manage them), and `/readyz`, the
 * `floodgate_upstream_up` gauge and the log when Valkey is down or refuses a password. Regressions
 * of issue 12 (item 11): `/healthz` said ok while Valkey was down or the password wrong, and
 * neither clients nor the log could tell a wrong password from an outage.
 */
import { type ChildProcess, spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import { BRIDGE_CLI, spawnBridge } from '../support/bridge-cli.ts'
import { useValkey } from '../support/use-valkey.ts'
import { startValkey } from '../support/valkey.ts'
import { post, READ_TOKEN, TOKEN } from './support.ts'

const valkey = useValkey()
const children: ChildProcess[] = []
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL')
})

const FULL_PASSWORD = 'full-password-0123456789abcdef'
const READ_PASSWORD = 'read-password-0123456789abcdef'

const start = async (args: string[], env: Record<string, string> = {}) => {
  const bridge = await spawnBridge(['--listen', '127.0.0.1:0', '--token', TOKEN, ...args], env)
  children.push(bridge.child)
  return bridge
}

const get = async (url: string) => {
  const response = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } })
  return { status: response.status, text: await response.text() }
}

/** The JSON log lines (stderr) with this message. */
const logged = (stderr: string, msg: string): Array<Record<string, unknown>> =>
  stderr
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => line.msg === msg)

const until = async (check: () => Promise<boolean> | boolean, what: string): Promise<void> => {
  const deadline = Date.now() + 15_000
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

// Each case spawns Node processes (tsx compiles on start): generous timeouts for a loaded machine.
describe('floodgate bridge in operation', () => {
  it('prints its version with --version', () => {
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'))
    for (const args of [['--version'], ['bridge', '--version']]) {
      const run = spawnSync(process.execPath, ['--import', 'tsx', BRIDGE_CLI, ...args], { encoding: 'utf8' })
      expect(run.status).toBe(0)
      expect(run.stdout).toBe(`floodgate ${version}\n`)
    }
  }, 60_000)

  it('runs as ACL users the operator created from --print-acl, the upstream user unable to manage them', async () => {
    const env = { FLOODGATE_ACL_FULL_PASSWORD: FULL_PASSWORD, FLOODGATE_ACL_READONLY_PASSWORD: READ_PASSWORD }
    const printed = spawnSync(
      process.execPath,
      ['--import', 'tsx', BRIDGE_CLI, 'bridge', '--token', TOKEN, '--print-acl'],
      {
        encoding: 'utf8',
        env: { ...process.env, ...env },
      },
    )
    expect(printed.status).toBe(0)
    const lines = printed.stdout.trim().split('\n')
    expect(lines.map((line) => line.split(' ').slice(0, 5).join(' '))).toEqual([
      expect.stringMatching(/^ACL SETUSER floodgate-full resetpass #[0-9a-f]{64}$/),
      expect.stringMatching(/^ACL SETUSER floodgate-ro resetpass #[0-9a-f]{64}$/),
    ])
    expect(printed.stdout).not.toContain(FULL_PASSWORD)
    for (const line of lines) expect(valkey.server.cli(...line.split(' '))).toBe('OK')
    // The bridge's own user may ping, end scripts and subscribe: nothing else.
    valkey.server.cli(
      'ACL',
      'SETUSER',
      'bridge-admin',
      'on',
      '>admin-password-0123456789',
      '~*',
      '&*',
      '-@all',
      '+ping',
      '+script|kill',
      '+function|kill',
      '+subscribe',
      '+psubscribe',
      '+config|get',
    )
    const upstream = `redis://bridge-admin:admin-password-0123456789@127.0.0.1:${valkey.server.port}`
    const bridge = await start(['--upstream', upstream, '--read-only-token', READ_TOKEN], env)
    expect((await fetch(`${bridge.url}/readyz`)).status).toBe(200)
    expect(await post(bridge.url, ['SET', 'kept', 'yes'])).toMatchObject({ status: 200 })
    const wipe = await post(bridge.url, ['EVAL', "return redis.call('FLUSHALL')", '0'])
    expect((wipe.json as { error: string }).error).toMatch(
      /User floodgate-full has no permissions to run the 'flushall'/,
    )
    expect(await post(bridge.url, ['GET', 'kept'], { authorization: `Bearer ${READ_TOKEN}` })).toMatchObject({
      status: 200,
      json: { result: 'yes' },
    })
    const clients = valkey.server.cli('CLIENT', 'LIST')
    expect(clients).toMatch(/user=floodgate-full /)
    expect(clients).toMatch(/user=floodgate-ro /)
    expect(
      logged(bridge.stderr(), 'the upstream user may not run ACL SETUSER: using the configured ACL users'),
    ).toHaveLength(1)
  }, 60_000)

  it('answers /readyz 503 "auth" with a wrong password, and logs WRONGPASS once, never the password', async () => {
    const wrongPassword = 'wrong-password-0123456789abcdef'
    const bridge = await start(['--upstream', valkey.url, '--manage-acl=false'], {
      FLOODGATE_ACL_FULL_PASSWORD: wrongPassword,
    })
    const ready = await fetch(`${bridge.url}/readyz`)
    expect(ready.status).toBe(503)
    expect(await ready.json()).toEqual({
      status: 'unavailable',
      reason: 'auth',
      error:
        "Valkey refused the bridge's credentials (WRONGPASS); the bridge's operator must fix its Valkey user or password",
    })
    expect((await fetch(`${bridge.url}/healthz`)).status).toBe(200)
    for (let i = 0; i < 3; i++) {
      expect(await post(bridge.url, ['GET', 'k'])).toMatchObject({
        status: 503,
        json: {
          error:
            "ERR upstream authentication failed: Valkey refused the bridge's credentials (WRONGPASS); the bridge's operator must fix its Valkey user or password",
        },
      })
    }
    expect((await get(`${bridge.url}/metrics`)).text).toContain('\nfloodgate_upstream_up 0\n')
    const down = logged(bridge.stderr(), 'upstream down')
    expect(down).toHaveLength(1)
    expect(down[0]).toMatchObject({ level: 'warn', reason: 'auth', code: 'WRONGPASS' })
    expect(down[0]!.cause).toMatch(/Valkey user floodgate-full/)
    expect(bridge.stderr()).not.toContain(wrongPassword)
  }, 60_000)

  it('answers /readyz 503 "unreachable" while Valkey is down, naming ECONNREFUSED host:port in the log, then recovers', async () => {
    const own = await startValkey()
    try {
      const bridge = await start(['--upstream', own.url])
      expect(await (await fetch(`${bridge.url}/readyz`)).json()).toEqual({ status: 'ready' })
      expect((await get(`${bridge.url}/metrics`)).text).toContain('\nfloodgate_upstream_up 1\n')
      process.kill(own.pid, 'SIGKILL')
      await until(async () => (await fetch(`${bridge.url}/readyz`)).status === 503, '/readyz to fail')
      const ready = await fetch(`${bridge.url}/readyz`)
      expect(await ready.json()).toEqual({
        status: 'unavailable',
        reason: 'unreachable',
        error: 'the bridge cannot reach Valkey (ECONNREFUSED); retry later',
      })
      expect(await post(bridge.url, ['GET', 'k'])).toMatchObject({
        status: 503,
        json: {
          error: 'ERR upstream unavailable: the bridge cannot reach Valkey (ECONNREFUSED); retry later',
        },
      })
      expect((await get(`${bridge.url}/metrics`)).text).toContain('\nfloodgate_upstream_up 0\n')
      // Once per change: a connection that broke mid-command may be logged first (ECONNRESET),
      // then the refused reconnects, once however many requests failed.
      const down = logged(bridge.stderr(), 'upstream down')
      const refused = down.filter((line) => line.code === 'ECONNREFUSED')
      expect(refused).toHaveLength(1)
      expect(refused[0]).toMatchObject({ level: 'warn', reason: 'unreachable' })
      expect(refused[0]!.cause).toContain(`ECONNREFUSED 127.0.0.1:${own.port}`)
      expect(down.at(-1)).toBe(refused[0])

      // Valkey comes back empty (no ACL users): the bridge sets them up again by itself.
      await own.restart()
      await until(
        async () => (await post(bridge.url, ['INCR', 'back'])).status === 200,
        'commands to work again',
      )
      const again = await fetch(`${bridge.url}/readyz`)
      expect(await again.json()).toEqual({ status: 'ready' })
      expect(logged(bridge.stderr(), 'upstream up').length).toBeGreaterThanOrEqual(1)
    } finally {
      await own.stop()
    }
  }, 60_000)
})
