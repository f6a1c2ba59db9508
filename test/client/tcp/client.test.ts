import { createServer } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { connect } from '../../../src/bridge/node/socket.ts'
import { createTcpClient, type TcpClientOptions } from '../../../src/client/tcp/client.ts'
import type { Connect } from '../../../src/client/tcp/socket.ts'
import type { Client } from '../../../src/client/types.ts'
import { ProtocolError, ReplyError, TimeoutError, TransportError } from '../../../src/errors.ts'
import { useValkey } from '../../support/use-valkey.ts'
import { freePort } from '../../support/valkey.ts'

const clients: Client[] = []
const open = (options: Omit<TcpClientOptions, 'connect'> & { connect?: Connect }): Client => {
  const client = createTcpClient({ connect, ...options })
  clients.push(client)
  return client
}
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()))
})

/** A Connect that records every write. */
const recording = () => {
  const writes: Uint8Array[] = []
  const wrapped: Connect = async (options, handlers) => {
    const socket = await connect(options, handlers)
    return {
      write: (data) => {
        writes.push(data)
        socket.write(data)
      },
      close: () => socket.close(),
    }
  }
  return { writes, connect: wrapped }
}

const settle = async <T>(promise: Promise<T>): Promise<{ value?: T; error?: unknown }> =>
  promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  )

/** Runs `body` while `server` is stopped (SIGSTOP), and lets it go on afterwards, pass or fail. */
const whilePaused = async (server: { pause(): void; resume(): void }, body: () => Promise<void>) => {
  server.pause()
  try {
    await body()
  } finally {
    server.resume()
  }
}

describe('createTcpClient', () => {
  const valkey = useValkey()

  it('writes every command issued in one tick in a single write', async () => {
    const { writes, connect: wrapped } = recording()
    const client = open({ url: valkey.url, connect: wrapped, maxBatch: Infinity })
    await client.send(['PING'])
    writes.length = 0
    const replies = await Promise.all(Array.from({ length: 100 }, () => client.send(['INCR', 'one-write'])))
    expect(replies).toEqual(Array.from({ length: 100 }, (_, i) => i + 1))
    expect(writes).toHaveLength(1)
  })

  it('writes a burst of sends in parts of maxBatch (16 by default), a pipeline whole', async () => {
    const { writes, connect: wrapped } = recording()
    const client = open({ url: valkey.url, connect: wrapped })
    await client.send(['PING'])
    writes.length = 0
    const replies = await Promise.all(Array.from({ length: 100 }, () => client.send(['INCR', 'parts'])))
    expect(replies).toEqual(Array.from({ length: 100 }, (_, i) => i + 1))
    // 6 parts of 16 at once, the last 4 on the scheduled flush.
    expect(writes).toHaveLength(7)
    writes.length = 0
    const piped = await client.pipeline(Array.from({ length: 100 }, () => ['INCR', 'parts']))
    expect(piped).toEqual(Array.from({ length: 100 }, (_, i) => i + 101))
    expect(writes).toHaveLength(1)
    const small = open({ url: valkey.url, connect: wrapped, maxBatch: 3 })
    await small.send(['PING'])
    writes.length = 0
    await Promise.all(Array.from({ length: 7 }, () => small.send(['INCR', 'parts'])))
    expect(writes).toHaveLength(3)
  })

  it('refuses a maxBatch below 1', () => {
    expect(() => createTcpClient({ connect, maxBatch: 0 })).toThrow(/maxBatch must be a number of commands/)
  })

  it('joins commands from separate ticks when given a later schedule', async () => {
    const { writes, connect: wrapped } = recording()
    const client = open({ url: valkey.url, connect: wrapped, schedule: (flush) => setTimeout(flush, 0) })
    await client.send(['PING'])
    writes.length = 0
    const first = client.send(['SET', 'sched', 'a'])
    await Promise.resolve()
    const second = client.send(['GET', 'sched'])
    expect(await Promise.all([first, second])).toEqual(['OK', 'a'])
    expect(writes).toHaveLength(1)
  })

  it('keeps 10 000 commands in flight on one connection, answered in order', async () => {
    const client = open({ url: valkey.url })
    const replies = await Promise.all(Array.from({ length: 10_000 }, () => client.send(['INCR', 'many'])))
    expect(replies.every((reply, i) => reply === i + 1)).toBe(true)
  })

  it('round-trips a 10 MB string and a 10 MB binary value', async () => {
    const client = open({ url: valkey.url })
    const text = 'abcdefghij'.repeat(1024 * 1024)
    const bytes = new Uint8Array(10 * 1024 * 1024).map((_, i) => (i * 7) & 0xff)
    await client.send(['SET', 'huge:text', text])
    await client.send(['SET', 'huge:bytes', bytes])
    const [gotText, gotBytes] = await Promise.all([
      client.send(['GET', 'huge:text']),
      client.send(['GET', 'huge:bytes'], { bytes: true }),
    ])
    expect(gotText === text).toBe(true)
    expect(gotBytes).toBeInstanceOf(Uint8Array)
    expect(Buffer.compare(gotBytes as Uint8Array, bytes)).toBe(0)
  })

  it('returns bytes only for the commands that ask for them', async () => {
    const client = open({ url: valkey.url })
    await client.send(['SET', 'mixed', 'v'])
    const [asText, asBytes, count] = await Promise.all([
      client.send(['GET', 'mixed']),
      client.send(['GET', 'mixed'], { bytes: true }),
      client.send(['STRLEN', 'mixed'], { bytes: true }),
    ])
    expect(asText).toBe('v')
    expect(asBytes).toEqual(new Uint8Array([118]))
    expect(count).toBe(1)
  })

  it('SELECTs the database named in the URL', async () => {
    const client = open({ url: `${valkey.url}/3` })
    await client.send(['SET', 'in-db-3', 'yes'])
    expect(valkey.server.cli('-n', '3', 'GET', 'in-db-3')).toBe('yes')
    expect(valkey.server.cli('-n', '0', 'EXISTS', 'in-db-3')).toBe('0')
  })

  it('rejects a malformed argument with a TypeError and stays usable', async () => {
    const client = open({ url: valkey.url })
    await expect(client.send(['SET', 'k', undefined as never])).rejects.toThrow(TypeError)
    await expect(client.send([])).rejects.toThrow(/non-empty array/)
    expect(await client.send(['PING'])).toBe('PONG')
  })

  it('sends no part of a pipeline holding a malformed command', async () => {
    const client = open({ url: valkey.url })
    await expect(
      client.pipeline([
        ['SET', 'half-pipe', '1'],
        ['SET', 'k', null as never],
      ]),
    ).rejects.toThrow(TypeError)
    expect(await client.send(['EXISTS', 'half-pipe'])).toBe(0)
  })

  it('delivers RESP3 push frames to onPush and keeps replies matched', async () => {
    const pushes: unknown[] = []
    const client = open({ url: valkey.url, onPush: (frame) => pushes.push(frame) })
    const hello = (await client.send(['HELLO', 3])) as unknown[]
    expect(hello[hello.indexOf('proto') + 1]).toBe(3)
    expect(await client.send(['CLIENT', 'TRACKING', 'on'])).toBe('OK')
    await client.send(['GET', 'tracked'])
    valkey.server.cli('SET', 'tracked', 'changed')
    // The invalidation arrives as a push, before the reply to the next command.
    expect(await client.send(['GET', 'tracked'])).toBe('changed')
    expect(pushes).toContainEqual(['invalidate', ['tracked']])
  })

  it('answers commands already sent before close, and refuses new ones after', async () => {
    const client = open({ url: valkey.url })
    const pending = client.send(['INCR', 'closing'])
    const closed = client.close()
    expect(await pending).toBe(1)
    await closed
    await expect(client.send(['PING'])).rejects.toThrow(TransportError)
  })

  it('times out a command the server does not answer, then recovers when it resumes', async () => {
    const client = open({ url: valkey.url, commandTimeout: 300 })
    expect(await client.send(['PING'])).toBe('PONG')
    await whilePaused(valkey.server, async () => {
      const started = Date.now()
      const error = (await settle(client.send(['INCR', 'paused']))).error
      expect(error).toBeInstanceOf(TimeoutError)
      expect((error as Error).message).toMatch(/INCR timed out after 300 ms/)
      expect(Date.now() - started).toBeLessThan(3000)
      const custom = await settle(client.send(['GET', 'paused'], { timeout: 100 }))
      expect(custom.error).toBeInstanceOf(TimeoutError)
      const controller = new AbortController()
      const aborted = client.send(['GET', 'paused'], { signal: controller.signal })
      controller.abort(new Error('caller gave up'))
      expect((await settle(aborted)).error).toBeInstanceOf(TimeoutError)
    })
    // The late replies to the timed-out commands are skipped; the next reply is the right one.
    expect(await client.send(['GET', 'paused'])).toBe('1')
  })

  it('times out calls with their own { timeout }, each by its own length, many calls on one length', async () => {
    const client = open({ url: valkey.url, commandTimeout: 5000 })
    expect(await client.send(['PING'])).toBe('PONG')
    await whilePaused(valkey.server, async () => {
      const started = performance.now()
      const elapsed = (call: Promise<unknown>) =>
        settle(call).then((r) => ({ error: r.error, ms: performance.now() - started }))
      const short = Array.from({ length: 20 }, () => elapsed(client.send(['GET', 'a'], { timeout: 100 })))
      const long = elapsed(client.send(['GET', 'b'], { timeout: 400 }))
      const results = await Promise.all(short)
      for (const r of results) {
        expect(r.error).toBeInstanceOf(TimeoutError)
        expect((r.error as Error).message).toMatch(/GET timed out after 100 ms/)
        expect(r.ms).toBeGreaterThanOrEqual(99)
      }
      const last = await long
      expect((last.error as Error).message).toMatch(/GET timed out after 400 ms/)
      expect(last.ms).toBeGreaterThanOrEqual(399)
      expect(last.ms).toBeLessThan(4000)
    })
    // The late replies are skipped: the next reply is the next command's.
    expect(await client.send(['ECHO', 'after'])).toBe('after')
  })

  it('reconnects after the server restarts', async () => {
    const client = open({ url: valkey.url })
    expect(await client.send(['SET', 'before', '1'])).toBe('OK')
    await valkey.server.restart()
    expect(await client.send(['PING'])).toBe('PONG')
    expect(await client.send(['EXISTS', 'before'])).toBe(0)
  })

  it('fails commands in flight on a broken connection with TransportError, and runs those issued after', async () => {
    const client = open({ url: valkey.url })
    await client.send(['PING'])
    // A blocked BLPOP holds every command behind it in flight until the connection is killed.
    const blocked = settle(client.send(['BLPOP', 'never-pushed', 0]))
    const inFlight = Array.from({ length: 50 }, () => settle(client.send(['INCR', 'broken'])))
    while (!valkey.server.cli('CLIENT', 'LIST').includes('cmd=blpop')) {
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    valkey.server.cli('CLIENT', 'KILL', 'TYPE', 'normal')
    const results = [await blocked, ...(await Promise.all(inFlight))]
    expect(results.map((r) => r.error instanceof TransportError)).toEqual(results.map(() => true))
    expect((results[1]!.error as Error).message).toMatch(/may or may not have run/)
    const after = await Promise.all(Array.from({ length: 50 }, () => client.send(['INCR', 'broken'])))
    expect(after).toEqual(Array.from({ length: 50 }, (_, i) => i + 1))
  })

  it('loses no command when the server restarts mid-stream', async () => {
    const client = open({ url: valkey.url })
    const issued: Array<Promise<{ value?: unknown; error?: unknown }>> = []
    let running = true
    const stream = (async () => {
      while (running) {
        for (let i = 0; i < 5; i++) issued.push(settle(client.send(['INCR', 'stream'])))
        await new Promise((resolve) => setTimeout(resolve, 2))
      }
    })()
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect((await issued[0])?.value).toBe(1)
    await valkey.server.restart()
    expect(await client.send(['PING'])).toBe('PONG')
    await new Promise((resolve) => setTimeout(resolve, 100))
    running = false
    await stream
    const results = await Promise.all(issued)
    const errors = results.filter((r) => 'error' in r).map((r) => r.error)
    expect(errors.every((e) => e instanceof TransportError)).toBe(true)
    const values = results.filter((r) => 'value' in r).map((r) => r.value as number)
    // Before the restart the counter ran 1..n on the old server, after it 1..m on the new one:
    // in order, with no gap and no repeat, and the new server holds exactly m.
    const restartAt = values.findIndex((v, i) => i > 0 && v <= values[i - 1]!)
    expect(restartAt).toBeGreaterThan(0)
    const beforeRestart = values.slice(0, restartAt)
    const afterRestart = values.slice(restartAt)
    expect(beforeRestart).toEqual(beforeRestart.map((_, i) => i + 1))
    expect(afterRestart).toEqual(afterRestart.map((_, i) => i + 1))
    expect(Number(valkey.server.cli('GET', 'stream'))).toBe(afterRestart.length)
  })
})

describe('createTcpClient against a server that breaks the protocol', () => {
  it('drops the connection on malformed bytes and fails the commands in flight with TransportError', async () => {
    const server = createServer((socket) => {
      socket.once('data', () => socket.write('?not RESP\r\n'))
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as { port: number }
    try {
      const client = open({ host: '127.0.0.1', port, reconnect: { attempts: 1 } })
      const error = (await settle(client.send(['PING']))).error as TransportError
      expect(error).toBeInstanceOf(TransportError)
      expect(error.message).toMatch(/unknown type byte 0x3f/)
      expect(error.cause).toBeInstanceOf(ProtocolError)
    } finally {
      server.close()
    }
  })
})

describe('createTcpClient when the server cannot be reached', () => {
  it('fails with TransportError once the reconnect attempts run out', async () => {
    const port = await freePort()
    const client = open({ url: `redis://127.0.0.1:${port}`, reconnect: { attempts: 3, minDelay: 10 } })
    const error = (await settle(client.send(['PING']))).error
    expect(error).toBeInstanceOf(TransportError)
    expect((error as Error).message).toMatch(
      new RegExp(`cannot connect to 127.0.0.1:${port} after 3 attempts`),
    )
  })

  it('bounds the wait for a reconnect by the command timeout', async () => {
    const port = await freePort()
    const client = open({
      url: `redis://127.0.0.1:${port}`,
      commandTimeout: 300,
      reconnect: { attempts: 1000, minDelay: 20 },
    })
    const error = (await settle(client.send(['PING']))).error
    expect(error).toBeInstanceOf(TimeoutError)
    expect((error as Error).message).toMatch(/no connection to/)
  })

  it('gives up connecting after connectTimeout', async () => {
    const never: Connect = () => new Promise(() => {})
    const client = open({ connect: never, connectTimeout: 100, reconnect: { attempts: 2, minDelay: 10 } })
    const error = (await settle(client.send(['PING']))).error
    expect(error).toBeInstanceOf(TransportError)
    expect((error as Error).message).toMatch(/took over 100 ms/)
  })
})

describe('createTcpClient with a password', () => {
  const password = 'p@ss word:/?'
  const valkey = useValkey({ password })

  it('authenticates with the percent-encoded password from the URL', async () => {
    const client = open({ url: valkey.url })
    expect(valkey.url).toContain(encodeURIComponent(password))
    expect(await client.send(['PING'])).toBe('PONG')
  })

  it('authenticates as an ACL user with user and password', async () => {
    valkey.server.cli('ACL', 'SETUSER', 'app', 'on', '>app-secret', '~*', '+@all')
    const client = open({ url: `redis://app:app-secret@127.0.0.1:${valkey.server.port}` })
    expect(await client.send(['ACL', 'WHOAMI'])).toBe('app')
  })

  it('fails with TransportError naming the server code, never the password, on a wrong password', async () => {
    const client = open({ url: `redis://:not-it-hunter2@127.0.0.1:${valkey.server.port}` })
    const error = (await settle(client.send(['PING']))).error as TransportError
    expect(error).toBeInstanceOf(TransportError)
    expect(error.message).toMatch(/WRONGPASS/)
    expect(error.message).not.toContain('hunter2')
    expect(error.cause).toBeInstanceOf(ReplyError)
  })

  it('passes the server NOAUTH error through when no password is given', async () => {
    const client = open({ url: `redis://127.0.0.1:${valkey.server.port}` })
    await expect(client.send(['PING'])).rejects.toMatchObject({ name: 'ReplyError', code: 'NOAUTH' })
  })

  it('times out connection setup when the server accepts but does not answer AUTH', async () => {
    const client = open({ url: valkey.url, connectTimeout: 200, reconnect: { attempts: 1 } })
    await whilePaused(valkey.server, async () => {
      const error = (await settle(client.send(['PING']))).error
      expect(error).toBeInstanceOf(TransportError)
      expect((error as Error).message).toMatch(/took over 200 ms/)
    })
  })
})
