/**
 * `npm run bench node-servers`: requests/s with autocannon for a session load+save route and a
 * rate-limited route, floodgate's Express middleware and Fastify plugins against the stacks they
 * replace (express-session + connect-redis, express-rate-limit + rate-limit-redis, @fastify/session
 * + connect-redis, @fastify/rate-limit + ioredis), every server in its own process on one
 * valkey-server this bench starts. Runs are interleaved (ours, peer, peer, ours, ...) and the
 * median of ROUNDS (default 3) runs of SECONDS (default 4) each is compared. CONNECTIONS default 50.
 * Targets: >= 1.3x on sessions, >= 1.5x on rate limits.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { startValkey } from '../../test/support/valkey.ts'
import { median } from '../stats.ts'

/** autocannon ships no type declarations. */
const autocannon = createRequire(import.meta.url)('autocannon') as (options: object) => Promise<{
  non2xx: number
  errors: number
  requests: { average: number }
}>

const ROUNDS = Number(process.env.ROUNDS ?? 3)
const SECONDS = Number(process.env.SECONDS ?? 4)
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 50)

interface Pair {
  readonly name: string
  readonly route: string
  readonly target: number
}
const PAIRS: Pair[] = [
  { name: 'express-session', route: '/session', target: 1.3 },
  { name: 'express-rate-limit', route: '/limited', target: 1.5 },
  { name: 'fastify-session', route: '/session', target: 1.3 },
  { name: 'fastify-rate-limit', route: '/limited', target: 1.5 },
]

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
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    )
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code}`)))
    child.stdout!.on('data', (chunk: Buffer) => {
      const port = /PORT (\d+)/.exec(chunk.toString())?.[1]
      if (port) resolve({ url: `http://127.0.0.1:${port}`, child })
    })
  })

/** Requests/s of one run; fails loudly if any answer was not a 2xx. */
const measure = async (server: Running, route: string, seconds: number): Promise<number> => {
  const result = await autocannon({
    url: server.url + route,
    connections: CONNECTIONS,
    duration: seconds,
    headers: server.cookie ? { cookie: server.cookie } : {},
  })
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${server.url}${route}: ${result.non2xx} non-2xx answers, ${result.errors} errors`)
  }
  return result.requests.average
}

const valkey = await startValkey()
const children: ChildProcess[] = []
try {
  console.log(
    `# ${ROUNDS} interleaved runs x ${SECONDS} s per server, ${CONNECTIONS} connections, median req/s; each server its own process, one valkey-server`,
  )
  for (const pair of PAIRS) {
    const ours = await start(`${pair.name}/floodgate`, valkey.url)
    const theirs = await start(`${pair.name}/peer`, valkey.url)
    children.push(ours.child, theirs.child)
    if (pair.route === '/session') {
      for (const server of [ours, theirs]) {
        const login = await fetch(`${server.url}/login`, { method: 'POST' })
        server.cookie = login.headers.getSetCookie()[0]!.split(';')[0]
      }
    }
    // Warm both up (JIT, connections, scripts loaded) before anything counts.
    await measure(ours, pair.route, 1)
    await measure(theirs, pair.route, 1)
    const rates = { ours: [] as number[], theirs: [] as number[] }
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? (['ours', 'theirs'] as const) : (['theirs', 'ours'] as const)
      for (const who of order)
        rates[who].push(await measure(who === 'ours' ? ours : theirs, pair.route, SECONDS))
    }
    const a = median(rates.ours)
    const b = median(rates.theirs)
    console.log(
      `${pair.name.padEnd(20)} floodgate ${a.toFixed(0).padStart(6)} req/s  peer ${b.toFixed(0).padStart(6)} req/s  ratio ${(a / b).toFixed(2)}x (target >= ${pair.target}x)  [runs: ${rates.ours.map((r) => r.toFixed(0)).join(', ')} | ${rates.theirs.map((r) => r.toFixed(0)).join(', ')}]`,
    )
    ours.child.kill()
    theirs.child.kill()
  }
} finally {
  for (const child of children) if (child.exitCode === null) child.kill()
  await valkey.stop()
}
