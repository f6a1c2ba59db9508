/**
 * The shipped dashboard and alert rules only use series that a real bridge serves: a bridge on a
 * real primary, one on its real replica and one whose Valkey is gone (for the error counters)
 * together expose every name the files query (a limiter with analytics runs through the first, for
 * the limiter series). The rules also pass `promtool check rules`.
 */
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseConfig } from '../../src/bridge/config.ts'
import type { BridgeServer } from '../../src/bridge/node/server.ts'
import { startBridge } from '../../src/bridge/node/start.ts'
import { createHttpClient } from '../../src/client/http/client.ts'
import { withAnalytics } from '../../src/limit/analytics.ts'
import { fixedWindow } from '../../src/limit/fixed-window.ts'
import { createLimiter } from '../../src/limit/limiter.ts'
import { post, TOKEN } from '../bridge/support.ts'
import { freePort, startValkey, type ValkeyServer } from '../support/valkey.ts'
import { parseYaml, type Yaml } from '../support/yaml.ts'

const DEPLOY = join(import.meta.dirname, '../../deploy')
const RULES = join(DEPLOY, 'prometheus-alerts.yml')

/** Every PromQL expression of the dashboard (panel targets and template queries). */
const dashboardExprs = (): string[] => {
  const dashboard = JSON.parse(readFileSync(join(DEPLOY, 'grafana-dashboard.json'), 'utf8'))
  const exprs: string[] = []
  for (const panel of dashboard.panels) for (const t of panel.targets ?? []) exprs.push(t.expr)
  for (const v of dashboard.templating.list) if (v.type === 'query') exprs.push(v.query.query)
  return exprs
}

const ruleExprs = (): string[] => {
  const doc = parseYaml(readFileSync(RULES, 'utf8')) as { groups: Array<{ rules: Array<{ expr: Yaml }> }> }
  return doc.groups.flatMap((g) => g.rules.map((r) => r.expr as string))
}

/** The metric names an expression reads. */
const namesIn = (expr: string): string[] => expr.match(/\b(?:redis|floodgate)_[a-zA-Z0-9_]+/g) ?? []

/** The sample names on a /metrics page (comments skipped). */
const samplesOf = (text: string): Set<string> =>
  new Set(
    text
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith('#'))
      .map((l) => l.split(/[{ ]/)[0]!),
  )

const scrape = async (url: string): Promise<string> => {
  const response = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })
  return response.text()
}

describe('deploy/prometheus-alerts.yml', () => {
  it('passes promtool check rules', () => {
    let out: string
    try {
      out = execFileSync('promtool', ['check', 'rules', RULES], { encoding: 'utf8' })
    } catch (error) {
      const e = error as { code?: string; stdout?: string; stderr?: string }
      if (e.code === 'ENOENT') {
        throw new Error(
          "promtool not found: install Debian's prometheus package (apt-get install -y prometheus)",
        )
      }
      throw new Error(`promtool check rules failed:\n${e.stdout}\n${e.stderr}`)
    }
    expect(out).toMatch(/SUCCESS: \d+ rules found/)
    expect(Number(/SUCCESS: (\d+) rules/.exec(out)![1])).toBe(ruleExprs().length)
  })

  it('covers the alerts the operations page promises', () => {
    const text = readFileSync(RULES, 'utf8')
    for (const alert of [
      'ValkeyDown',
      'ValkeyMemoryHigh',
      'ValkeySlowCommand',
      'ValkeyTooManyConnections',
      'ValkeyRejectedConnections',
      'ValkeyRdbSaveFailed',
      'ValkeyAofWriteFailed',
      'ValkeyReplicaLagging',
      'FloodgateLimiterDenialsHigh',
    ]) {
      expect(text).toContain(`alert: ${alert}\n`)
    }
    expect(ruleExprs()).toContain(
      'redis_memory_used_bytes / redis_memory_max_bytes > 0.8 and redis_memory_max_bytes > 0',
    )
    expect(ruleExprs().find((e) => e.includes('redis_last_slow_execution_duration_seconds'))).toContain(
      '> 0.1',
    )
  })
})

describe('series used by the dashboard and the rules', () => {
  let primary: ValkeyServer
  let replica: ValkeyServer
  const bridges: BridgeServer[] = []
  const start = async (upstream: string) => {
    const config = parseConfig(['--token', TOKEN, '--listen', '127.0.0.1:0'], {})
    if (config === 'help') throw new Error('unreachable')
    const bridge = await startBridge({ ...config, upstream, upstreamTimeout: 500 })
    bridges.push(bridge)
    return bridge
  }
  beforeAll(async () => {
    primary = await startValkey()
    replica = await startValkey({ args: ['--replicaof', '127.0.0.1', String(primary.port)] })
    for (let i = 0; i < 100 && !replica.cli('INFO', 'replication').includes('master_link_status:up'); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }, 30_000)
  afterAll(async () => {
    for (const bridge of bridges) await bridge.close()
    await replica?.stop()
    await primary?.stop()
  })

  it('all appear on /metrics of bridges in front of a primary, its replica and a dead Valkey', async () => {
    expect(replica.cli('INFO', 'replication')).toContain('master_link_status:up')
    const onPrimary = await start(primary.url)
    const onReplica = await start(replica.url)
    const onNothing = await start(`redis://127.0.0.1:${await freePort()}`)
    expect((await post(onPrimary.url, ['SET', 'k', 'v'])).status).toBe(200)
    expect((await post(onPrimary.url, ['GET', 'k'])).status).toBe(200)
    expect((await post(onNothing.url, ['GET', 'k'])).status).toBe(503)
    // A limiter with analytics, through the bridge: its prefix appears in the analytics registry,
    // so /metrics carries floodgate_limiter_decisions for it (counts once its bucket completes).
    const client = createHttpClient({ url: onPrimary.url, token: TOKEN })
    const limiter = withAnalytics(createLimiter({ client, prefix: 'api', limits: fixedWindow(2, '1 h') }), {
      client,
      prefix: 'api',
    })
    const decisions = await Promise.all(['u1', 'u1', 'u1'].map((id) => limiter.limit(id)))
    await Promise.all(decisions.map((d) => d.pending))
    expect(decisions.map((d) => d.success).sort()).toEqual([false, true, true])
    const served = new Set<string>()
    for (const bridge of [onPrimary, onReplica, onNothing]) {
      for (const name of samplesOf(await scrape(bridge.url))) served.add(name)
    }
    const used = new Set([...dashboardExprs(), ...ruleExprs()].flatMap(namesIn))
    expect(used.size).toBeGreaterThan(25)
    const missing = [...used].filter((name) => !served.has(name))
    expect(missing).toEqual([])
  })
})
