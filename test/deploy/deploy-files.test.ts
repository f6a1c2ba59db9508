/**
 * The deploy files, checked as far as this machine can without containers: compose.yaml's
 * Valkey command runs as written (persistence, password, a restart that keeps AOF data) and its
 * bridge command and environment serve through it; the systemd unit passes
 * `systemd-analyze verify` with a low exposure score; the Dockerfile agrees with the package.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { type BridgeProcess, spawnBridge } from '../support/bridge-cli.ts'
import { startValkey, type ValkeyServer } from '../support/valkey.ts'
import { parseYaml } from '../support/yaml.ts'

const ROOT = join(import.meta.dirname, '../..')
const DEPLOY = join(ROOT, 'deploy')
const UNIT = join(DEPLOY, 'floodgate-bridge.service')

interface Service {
  command: string[]
  environment?: Record<string, string>
}
const compose = parseYaml(readFileSync(join(DEPLOY, 'compose.yaml'), 'utf8')) as unknown as {
  services: { valkey: Service; bridge: Service }
  networks: Record<string, Record<string, string>>
}

const PASSWORD = 'compose-test-password-0123456789'
const TOKEN = 'compose-test-token-0123456789abcdef'
/** Compose's `${NAME:?message}` interpolation, from this table. */
const interpolate = (text: string): string =>
  text.replace(/\$\{(\w+)(?::\?[^}]*)?\}/g, (_, name: string) => {
    const value = { VALKEY_PASSWORD: PASSWORD, FLOODGATE_TOKENS: TOKEN }[name]
    if (value === undefined) throw new Error(`compose.yaml uses \${${name}}, which this test does not set`)
    return value
  })

const systemdAnalyze = (args: string[]): string => {
  try {
    return execFileSync('systemd-analyze', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
  } catch (error) {
    const e = error as { code?: string; stdout?: string; stderr?: string }
    if (e.code === 'ENOENT') throw new Error('systemd-analyze not found: apt-get install -y systemd')
    throw new Error(`systemd-analyze ${args.join(' ')} failed:\n${e.stdout}\n${e.stderr}`)
  }
}

describe('deploy/compose.yaml, run outside a container', () => {
  let valkey: ValkeyServer | undefined
  let bridge: BridgeProcess | undefined
  afterAll(async () => {
    bridge?.child.kill('SIGTERM')
    await bridge?.exited
    await valkey?.stop()
  })

  it('keeps Valkey on the internal network only, with AOF everysec + RDB and a password', () => {
    expect(compose.networks.internal).toEqual({ internal: 'true' })
    expect(compose.services.valkey).not.toHaveProperty('ports')
    const args = compose.services.valkey.command
    const flag = (name: string) => args[args.indexOf(name) + 1]
    expect(args[0]).toBe('valkey-server')
    expect(flag('--appendonly')).toBe('yes')
    expect(flag('--appendfsync')).toBe('everysec')
    expect(flag('--save')).not.toBe('')
    expect(flag('--requirepass')).toMatch(/^\$\{VALKEY_PASSWORD:\?/)
  })

  it("starts Valkey with the file's arguments and the bridge with its command and environment", async () => {
    const args = compose.services.valkey.command.slice(1).map(interpolate)
    // Test-only: startValkey adds a free loopback port and a temporary --dir before these.
    valkey = await startValkey({ password: PASSWORD, args })
    expect(valkey.cli('CONFIG', 'GET', 'appendonly')).toBe('appendonly\nyes')
    expect(valkey.cli('CONFIG', 'GET', 'appendfsync')).toBe('appendfsync\neverysec')
    expect(valkey.cli('CONFIG', 'GET', 'save')).toBe('save\n900 1 300 10 60 10000')
    expect(execFileSync('valkey-cli', ['-p', String(valkey.port), 'PING'], { encoding: 'utf8' })).toMatch(
      /NOAUTH/,
    )

    const env: Record<string, string> = {}
    for (const [name, value] of Object.entries(compose.services.bridge.environment ?? {})) {
      env[name] = interpolate(value).replace('@valkey:6379', `@127.0.0.1:${valkey.port}`)
    }
    const command = [...compose.services.bridge.command]
    expect(command[0]).toBe('bridge')
    command[command.indexOf('--listen') + 1] = '127.0.0.1:0'
    bridge = await spawnBridge(command.slice(1), env)

    const ready = await fetch(`${bridge.url}/readyz`)
    expect(ready.status).toBe(200)
    const call = (body: unknown) =>
      fetch(bridge!.url, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify(body),
      }).then((r) => r.json())
    expect(await call(['SET', 'user:session:abc', 'kept', 'EX', '3600'])).toEqual({ result: 'OK' })
    expect(await call(['GET', 'user:session:abc'])).toEqual({ result: 'kept' })

    // AOF with fsync every second: a write older than a second survives a crash.
    await new Promise((resolve) => setTimeout(resolve, 1500))
    await valkey.restart()
    expect(valkey.cli('GET', 'user:session:abc')).toBe('kept')
  })
})

describe('deploy/floodgate-bridge.service', () => {
  it('passes systemd-analyze verify without a warning', () => {
    expect(systemdAnalyze(['verify', UNIT])).toBe('')
  })

  it('is hardened: DynamicUser, a read-only system, exposure at most 2 of 10', () => {
    const unit = readFileSync(UNIT, 'utf8')
    for (const line of [
      'DynamicUser=yes',
      'ProtectSystem=strict',
      'NoNewPrivileges=yes',
      'CapabilityBoundingSet=',
    ]) {
      expect(unit).toContain(`\n${line}\n`)
    }
    const report = systemdAnalyze(['security', '--offline=yes', UNIT])
    const exposure = Number(/Overall exposure level for \S+: ([\d.]+)/.exec(report)?.[1])
    expect(exposure).toBeLessThanOrEqual(2)
  })
})

describe('deploy/Dockerfile', () => {
  const dockerfile = readFileSync(join(DEPLOY, 'Dockerfile'), 'utf8')
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'))

  it('builds in one stage and runs as a non-root user in another, checking /readyz', () => {
    expect(dockerfile.match(/^FROM /gm)).toHaveLength(2)
    expect(dockerfile).toMatch(/^COPY --from=build /m)
    const lastUser = [...dockerfile.matchAll(/^USER (\S+)/gm)].at(-1)?.[1]
    expect(lastUser).toBe('node')
    expect(dockerfile).toMatch(/^HEALTHCHECK .*\n.*http:\/\/127\.0\.0\.1:8079\/readyz/m)
  })

  it("runs the package's bridge CLI with the command compose.yaml gives it", () => {
    const entry = JSON.parse(/^ENTRYPOINT (.+)$/m.exec(dockerfile)![1]!) as string[]
    expect(entry).toEqual(['node', pkg.bin.floodgate.replace(/^\.\//, '')])
    const cmd = JSON.parse(/^CMD (.+)$/m.exec(dockerfile)![1]!) as string[]
    expect(cmd).toEqual(compose.services.bridge.command)
  })

  it('copies only files that exist, all let through by its .dockerignore', () => {
    const ignore = readFileSync(join(DEPLOY, 'Dockerfile.dockerignore'), 'utf8')
    const sources = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) => m[1]!.split(' '))
    expect(sources.length).toBeGreaterThan(4)
    for (const source of sources) {
      expect(existsSync(join(ROOT, source)), source).toBe(true)
      expect(ignore).toContain(`\n!${source}${source.includes('.') ? '' : '/'}\n`)
    }
  })
})
