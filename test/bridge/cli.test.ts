/**
 * The `floodgate bridge` CLI as a child process: help, bad configuration, the ready line,
 * `--workers`, and the SIGTERM drain that answers a write already executing.
 */
import { type ChildProcess, spawnSync } from 'node:child_process'
import { afterEach, describe, expect, it } from 'vitest'
import { BRIDGE_CLI, spawnBridge } from '../support/bridge-cli.ts'
import { useValkey } from '../support/use-valkey.ts'
import { freePort } from '../support/valkey.ts'
import { post } from './support.ts'

const TOKEN = 'test-token-0123456789abcdef'
const valkey = useValkey()
const children: ChildProcess[] = []
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL')
})

const run = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, ['--import', 'tsx', BRIDGE_CLI, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 45_000,
  })

/** Starts the CLI, killed after the test, and resolves once it prints the ready line. */
const start = async (args: string[], env: Record<string, string> = {}) => {
  const bridge = await spawnBridge(args, env)
  children.push(bridge.child)
  return bridge
}

// Each case spawns Node processes (tsx compiles on start): generous timeouts for a loaded machine.
describe('floodgate bridge (CLI)', () => {
  it('prints --help and exits 0', () => {
    const help = run(['bridge', '--help'])
    expect(help.status).toBe(0)
    expect(help.stdout).toContain('Usage: floodgate bridge [options]')
    expect(help.stdout).toContain('--read-only-token')
    expect(help.stdout).toContain('FLOODGATE_UPSTREAM')
  }, 60_000)

  it('exits 2 with a clear message on bad configuration, never echoing a token', () => {
    const noToken = run(['bridge'])
    expect(noToken.status).toBe(2)
    expect(noToken.stderr).toMatch(/^floodgate: no token configured/)
    const badUpstream = run(['bridge', '--token', TOKEN, '--upstream', 'http://x'])
    expect(badUpstream.status).toBe(2)
    expect(badUpstream.stderr).toMatch(/--upstream must start with redis/)
    expect(badUpstream.stderr).not.toContain(TOKEN)
    const badAllow = run(['bridge', '--allow-command', 'GET'], { FLOODGATE_TOKENS: TOKEN })
    expect(badAllow.status).toBe(2)
    expect(badAllow.stderr).toMatch(/is not a refused command/)
    expect(run(['frobnicate']).status).toBe(2)
  }, 60_000)

  it('exits 1 when the address is taken', async () => {
    const first = await start(['--listen', `127.0.0.1:${await freePort()}`, '--token', TOKEN])
    const taken = run(['bridge', '--listen', new URL(first.url).host, '--token', TOKEN])
    expect(taken.status).toBe(1)
    expect(taken.stderr).toMatch(/address is in use/)
  }, 60_000)

  it('drains on SIGTERM: a write in flight is answered, then it exits 0', async () => {
    const bridge = await start(['--listen', '127.0.0.1:0', '--upstream', valkey.url], {
      FLOODGATE_TOKENS: TOKEN,
    })
    expect((await post(bridge.url, ['PING'])).status).toBe(200)
    // Valkey is stopped (SIGSTOP) while the write is in flight, so SIGTERM arrives before the
    // write runs; the bridge must wait for it, answer it, and only then exit.
    valkey.server.pause()
    let write: ReturnType<typeof post>
    try {
      write = post(bridge.url, ['INCR', 'drained'])
      await new Promise((resolve) => setTimeout(resolve, 200))
      bridge.child.kill('SIGTERM')
      await new Promise((resolve) => setTimeout(resolve, 300))
      // No new connections while draining.
      await expect(fetch(`${bridge.url}/healthz`)).rejects.toThrow()
    } finally {
      valkey.server.resume()
    }
    expect(await write).toMatchObject({ status: 200, json: { result: 1 } })
    expect(await bridge.exited).toBe(0)
    expect(valkey.server.cli('GET', 'drained')).toBe('1')
    const logs = bridge
      .stderr()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { msg: string })
    expect(logs.map((l) => l.msg)).toEqual([
      'ACL users set up',
      'listening',
      'draining',
      'upstream closed',
      'stopped',
    ])
    expect(bridge.stderr()).not.toContain(TOKEN)
  }, 60_000)

  it('serves from several processes with --workers, sums their metrics, and stops them all on SIGTERM', async () => {
    const bridge = await start([
      '--listen',
      '127.0.0.1:0',
      '--upstream',
      valkey.url,
      '--token',
      TOKEN,
      '--workers',
      '2',
    ])
    const results = await Promise.all(Array.from({ length: 20 }, () => post(bridge.url, ['INCR', 'workers'])))
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(200))
    expect(valkey.server.cli('GET', 'workers')).toBe('20')
    // /metrics sums every worker's counters, whichever worker takes the scrape.
    for (let i = 0; i < 4; i++) {
      const text = await (
        await fetch(`${bridge.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })
      ).text()
      expect(text).toContain('floodgate_bridge_requests_total{endpoint="command",status="200"} 20')
    }
    bridge.child.kill('SIGTERM')
    expect(await bridge.exited).toBe(0)
  }, 60_000)
})
