/**
 * `npm run bench node-servers`: requests/s with autocannon, floodgate's Express middleware and
 * Fastify plugins against the stacks they replace — express-session + connect-redis,
 * express-rate-limit + rate-limit-redis, @fastify/session + connect-redis, @fastify/rate-limit +
 * ioredis — for a session load+save route, a rate-limited route (every request admitted) and a
 * flooded one (limit 100 a minute, nearly every request refused). Every server runs in its own
 * process on one valkey-server this bench starts; the bare framework serving the same route gives
 * the ceiling no middleware can pass. Runs rotate (ours, peer, bare, then the next order) so load
 * from elsewhere on the machine falls on all of them; a ratio is the median of per-round ratios.
 * ROUNDS (default 5) x SECONDS (default 3) per server, CONNECTIONS (default 50); ONLY=<text> runs the
 * cases whose label holds it.
 * Targets: >= 1.3x on sessions, >= 1.5x on rate limits.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { startValkey } from '../../test/support/valkey.ts'
import { pairedRatio, type Ratio, report } from '../report.ts'
import { median } from '../stats.ts'

/** autocannon ships no type declarations. */
const autocannon = createRequire(import.meta.url)('autocannon') as (options: object) => Promise<{
  errors: number
  requests: { average: number; total: number }
  statusCodeStats: Record<string, { count: number }>
}>

const ROUNDS = Number(process.env.ROUNDS ?? 5)
const SECONDS = Number(process.env.SECONDS ?? 3)
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 50)

interface Case {
  readonly stack: string
  readonly route: string
  readonly label: string
  readonly target: number
}
const CASES: Case[] = [
  { stack: 'express-session', route: '/session', label: 'Express session load+save', target: 1.3 },
  { stack: 'express-rate-limit', route: '/limited', label: 'Express rate limit, admitted', target: 1.5 },
  { stack: 'express-rate-limit', route: '/flooded', label: 'Express rate limit, flooded', target: 1.5 },
  { stack: 'fastify-session', route: '/session', label: 'Fastify session load+save', target: 1.3 },
  { stack: 'fastify-rate-limit', route: '/limited', label: 'Fastify rate limit, admitted', target: 1.5 },
  { stack: 'fastify-rate-limit', route: '/flooded', label: 'Fastify rate limit, flooded', target: 1.5 },
]
const WHO = ['floodgate', 'peer', 'bare'] as const
type Who = (typeof WHO)[number]

interface Running {
  readonly url: string
  readonly child: ChildProcess
  cookie?: string
}

const start = (name: string, valkeyUrl: string): Promise<Running> =>
  new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, 'servers.ts'), name, valkeyUrl],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    )
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code}`)))
    child.stdout!.on('data', (chunk: Buffer) => {
      const port = /PORT (\d+)/.exec(chunk.toString())?.[1]
      if (port) resolve({ url: `http://127.0.0.1:${port}`, child })
    })
  })

const cpuOf = async (server: Running) => Number(await (await fetch(`${server.url}/__cpu`)).text())

/**
 * Requests/s of one run and the server's CPU µs per request; fails loudly on a connection error or
 * an unexpected status.
 */
const measure = async (server: Running, route: string, seconds: number): Promise<[number, number]> => {
  const before = await cpuOf(server)
  const result = await autocannon({
    url: server.url + route,
    connections: CONNECTIONS,
    duration: seconds,
    headers: server.cookie ? { cookie: server.cookie } : {},
  })
  const statuses = Object.keys(result.statusCodeStats)
  const expected = route === '/flooded' ? ['200', '429'] : ['200']
  if (result.errors > 0 || statuses.some((status) => !expected.includes(status))) {
    throw new Error(`${server.url}${route}: ${result.errors} errors, statuses ${statuses.join(', ')}`)
  }
  const used = (await cpuOf(server)) - before
  return [result.requests.average, used / result.requests.total]
}

const valkey = await startValkey()
const ratios: Ratio[] = []
const figures: { label: string; value: number; unit: string }[] = []
try {
  console.log(
    `# ${ROUNDS} rotating rounds x ${SECONDS} s per server, ${CONNECTIONS} connections; each server its own process, one valkey-server`,
  )
  const only = process.env.ONLY ?? ''
  const cases = CASES.filter((c) => c.label.includes(only))
  for (const stack of [...new Set(cases.map((c) => c.stack))]) {
    const servers = {} as Record<Who, Running>
    for (const who of WHO) servers[who] = await start(`${stack}/${who}`, valkey.url)
    try {
      for (const c of cases.filter((x) => x.stack === stack)) {
        if (c.route === '/session') {
          for (const who of ['floodgate', 'peer'] as const) {
            const login = await fetch(`${servers[who].url}/login`, { method: 'POST' })
            servers[who].cookie = login.headers.getSetCookie()[0]!.split(';')[0]
          }
        }
        // Warm-up (JIT, connections, scripts loaded, the flooded limits reached) counts for nothing.
        for (const who of WHO) await measure(servers[who], c.route, 1)
        const rates: Record<Who, number[]> = { floodgate: [], peer: [], bare: [] }
        const cpus: Record<Who, number[]> = { floodgate: [], peer: [], bare: [] }
        for (let round = 0; round < ROUNDS; round++) {
          for (let i = 0; i < WHO.length; i++) {
            const who = WHO[(round + i) % WHO.length]!
            const [rate, cpu] = await measure(servers[who], c.route, SECONDS)
            rates[who].push(rate)
            cpus[who].push(cpu)
          }
        }
        const ours = pairedRatio(`${c.label}: floodgate / peer`, rates.floodgate, rates.peer, c.target)
        const ceiling = pairedRatio(`${c.label}: bare framework / peer`, rates.bare, rates.peer)
        // Server CPU per request, peer over ours: what a request costs, whatever else runs.
        const cpu = pairedRatio(`${c.label}: CPU per request, peer / floodgate`, cpus.peer, cpus.floodgate)
        ratios.push(ours, ceiling, cpu)
        const rps = (who: Who) => median(rates[who])
        const us = (who: Who) => median(cpus[who]).toFixed(0)
        for (const who of WHO) {
          figures.push({ label: `${c.label}, ${who}`, value: Math.round(rps(who)), unit: 'req/s' })
          figures.push({ label: `${c.label}, ${who}, CPU`, value: Number(us(who)), unit: 'µs/request' })
        }
        console.log(
          `${c.label.padEnd(30)} floodgate ${rps('floodgate').toFixed(0).padStart(6)}  peer ${rps('peer').toFixed(0).padStart(6)}  bare ${rps('bare').toFixed(0).padStart(6)} req/s  ` +
            `ratio ${ours.value!.toFixed(2)}x (${ours.low!.toFixed(2)}-${ours.high!.toFixed(2)}; target >= ${c.target}x)  ceiling ${ceiling.value!.toFixed(2)}x\n` +
            `${''.padEnd(30)} CPU per request: floodgate ${us('floodgate')} µs  peer ${us('peer')} µs  bare ${us('bare')} µs  peer/floodgate ${cpu.value!.toFixed(2)}x (${cpu.low!.toFixed(2)}-${cpu.high!.toFixed(2)})`,
        )
      }
    } finally {
      for (const who of WHO) servers[who].child.kill()
    }
  }
  report('Node servers, requests/s: floodgate / peer', ratios, figures)
} finally {
  await valkey.stop()
}
