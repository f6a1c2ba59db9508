/**
 * The servers `bench/node-servers` measures, one per process: `node --import tsx servers.ts
 * <name> <valkey url>` prints `PORT <n>` once listening. Each pair runs the same route code on
 * the same Valkey: floodgate's middleware or plugin against the peer stack it replaces.
 *
 * - `/session`: loads the session, increments `views`, saves (a write on every request).
 * - `/limited`: one rate-limit decision keyed by client IP, on a limit no request reaches.
 * - `/flooded`: the same on a limit of 100 a minute, so nearly every request is refused (a flood).
 * - `<framework>/bare`: the same routes answering without session or limit: the ceiling.
 *
 * The peers are loaded without their type declarations: @types/express-session and
 * @fastify/session declare `request.session` their way, which clashes with floodgate's.
 */
import { createRequire } from 'node:module'
import express from 'express'
import Fastify from 'fastify'
import { connect } from '../../adapters/node/index.ts'
import { createTcpClient } from '../../src/client/tcp/client.ts'
import { rateLimit as expressRateLimit } from '../../src/express/rate-limit.ts'
import { session as expressSession } from '../../src/express/session.ts'
import { rateLimit as fastifyRateLimit } from '../../src/fastify/rate-limit.ts'
import { session as fastifySession } from '../../src/fastify/session.ts'
import { createSessions } from '../../src/session/sessions.ts'

const peer = createRequire(import.meta.url)
const SECRET = 'a-bench-secret-of-at-least-32-bytes-long!'
/** A limit no run reaches: every request is admitted and costs one full decision. */
const NEVER = 1_000_000_000

const [name, url] = process.argv.slice(2) as [string, string]

const nodeRedis = async () => {
  const client = peer('redis').createClient({ url })
  await client.connect()
  return client
}
const ours = () => createTcpClient({ url, connect })
const sessions = () =>
  createSessions({ client: ours(), prefix: 'bench:fg:', cookie: { name: 'sid', secure: false } })

const expressApp = async (): Promise<express.Express> => {
  const app = express()
  switch (name) {
    case 'express-session/floodgate':
      app.use(expressSession({ sessions: sessions() }))
      app.post('/login', (req, res) => {
        req.session.set('user', 'alice')
        res.send('ok')
      })
      app.get('/session', (req, res) => {
        const views = Number(req.session.get('views') ?? 0) + 1
        req.session.set('views', views)
        res.send(String(views))
      })
      break
    case 'express-session/peer': {
      const { RedisStore } = peer('connect-redis')
      const store = new RedisStore({ client: await nodeRedis(), prefix: 'bench:peer:' })
      app.use(peer('express-session')({ store, secret: SECRET, resave: false, saveUninitialized: false }))
      app.post('/login', (req, res) => {
        ;(req.session as unknown as Record<string, unknown>).user = 'alice'
        res.send('ok')
      })
      app.get('/session', (req, res) => {
        const data = req.session as unknown as Record<string, number>
        data.views = (data.views ?? 0) + 1
        res.send(String(data.views))
      })
      break
    }
    case 'express-rate-limit/floodgate': {
      const client = ours()
      app.get(
        '/limited',
        expressRateLimit({ client, windowMs: 60_000, limit: NEVER }),
        (_req, res) => void res.send('ok'),
      )
      app.get(
        '/flooded',
        expressRateLimit({ client, windowMs: 60_000, limit: 100, prefix: 'fl:' }),
        (_req, res) => void res.send('ok'),
      )
      break
    }
    case 'express-rate-limit/peer': {
      const redis = await nodeRedis()
      const { RedisStore } = peer('rate-limit-redis')
      const store = (prefix: string) =>
        new RedisStore({ sendCommand: (...args: string[]) => redis.sendCommand(args), prefix })
      const { rateLimit } = peer('express-rate-limit')
      const limited = rateLimit({ windowMs: 60_000, limit: NEVER, store: store('rl:') })
      const flooded = rateLimit({ windowMs: 60_000, limit: 100, store: store('fl:') })
      app.get('/limited', limited, (_req, res) => void res.send('ok'))
      app.get('/flooded', flooded, (_req, res) => void res.send('ok'))
      break
    }
    case 'express-rate-limit/bare':
    case 'express-session/bare':
      app.get(['/limited', '/flooded', '/session'], (_req, res) => void res.send('ok'))
      break
    default:
      throw new Error(`unknown server ${name}`)
  }
  return app
}

const fastifyApp = async () => {
  const app = Fastify()
  switch (name) {
    case 'fastify-session/floodgate':
      await app.register(fastifySession, { sessions: sessions() })
      app.post('/login', async (request) => {
        request.session.set('user', 'alice')
        return 'ok'
      })
      app.get('/session', async (request) => {
        const views = Number(request.session.get('views') ?? 0) + 1
        request.session.set('views', views)
        return String(views)
      })
      break
    case 'fastify-session/peer': {
      const { RedisStore } = peer('connect-redis')
      const store = new RedisStore({ client: await nodeRedis(), prefix: 'bench:fpeer:' })
      await app.register(peer('@fastify/cookie'))
      await app.register(peer('@fastify/session'), {
        secret: SECRET,
        store,
        saveUninitialized: false,
        cookie: { secure: false },
      })
      app.post('/login', async (request) => {
        ;(request as unknown as { session: { set(k: string, v: unknown): void } }).session.set(
          'user',
          'alice',
        )
        return 'ok'
      })
      app.get('/session', async (request) => {
        const s = (
          request as unknown as { session: { get(k: string): unknown; set(k: string, v: unknown): void } }
        ).session
        const views = Number(s.get('views') ?? 0) + 1
        s.set('views', views)
        return String(views)
      })
      break
    }
    case 'fastify-rate-limit/floodgate': {
      const client = ours()
      await app.register(async (scope) => {
        await scope.register(fastifyRateLimit, { client, max: NEVER, timeWindow: 60_000 })
        scope.get('/limited', async () => 'ok')
      })
      await app.register(async (scope) => {
        await scope.register(fastifyRateLimit, { client, max: 100, timeWindow: 60_000, nameSpace: 'fl:' })
        scope.get('/flooded', async () => 'ok')
      })
      break
    }
    case 'fastify-rate-limit/peer': {
      const Redis = peer('ioredis')
      const redis = new Redis(url)
      await app.register(async (scope) => {
        await scope.register(peer('@fastify/rate-limit'), { redis, max: NEVER, timeWindow: 60_000 })
        scope.get('/limited', async () => 'ok')
      })
      await app.register(async (scope) => {
        await scope.register(peer('@fastify/rate-limit'), {
          redis,
          max: 100,
          timeWindow: 60_000,
          nameSpace: 'fl:',
        })
        scope.get('/flooded', async () => 'ok')
      })
      break
    }
    case 'fastify-rate-limit/bare':
    case 'fastify-session/bare':
      for (const route of ['/limited', '/flooded', '/session']) app.get(route, async () => 'ok')
      break
    default:
      throw new Error(`unknown server ${name}`)
  }
  return app
}

/** CPU µs this process has used: the bench reads it around each run (CPU per request holds up on a busy machine). */
const cpu = () => {
  const { user, system } = process.cpuUsage()
  return String(user + system)
}

if (name.startsWith('express')) {
  const app = await expressApp()
  app.get('/__cpu', (_req, res) => void res.send(cpu()))
  const server = app.listen(0, '127.0.0.1', () => {
    const address = server.address() as { port: number }
    console.log(`PORT ${address.port}`)
  })
} else {
  const app = await fastifyApp()
  app.get('/__cpu', async () => cpu())
  await app.listen({ port: 0, host: '127.0.0.1' })
  console.log(`PORT ${(app.server.address() as { port: number }).port}`)
}
