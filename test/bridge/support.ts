/**
 * Test support: a bridge started in-process on a free port, in front of the file's own Valkey, or
 * as a process of its own (the CLI); a raw HTTP/1.1 subscriber to it.
 */
import { connect, type Socket } from 'node:net'
import { afterAll, beforeAll, expect } from 'vitest'
import { type BridgeConfig, parseConfig } from '../../src/bridge/config.ts'
import type { BridgeServer } from '../../src/bridge/node/server.ts'
import { connect as socketConnect } from '../../src/bridge/node/socket.ts'
import { startBridge } from '../../src/bridge/node/start.ts'
import { createTcpClient } from '../../src/client/tcp/client.ts'
import type { TcpClientOptions } from '../../src/client/tcp/options.ts'
import type { Client } from '../../src/client/types.ts'
import { type BridgeProcess, spawnBridge } from '../support/bridge-cli.ts'

export const TOKEN = 'test-token-0123456789abcdef'
export const READ_TOKEN = 'read-token-0123456789abcdef'

/**
 * A bridge started in-process in front of `upstream` on `127.0.0.1:<port>` (0: a free port), with
 * the full `TOKEN`, the flags in `args`, then `overrides` over the parsed config.
 */
export const startTestBridge = (
  upstream: string,
  {
    port = 0,
    args = [],
    overrides = {},
  }: { port?: number; args?: string[]; overrides?: Partial<BridgeConfig> } = {},
): Promise<BridgeServer> => {
  const config = parseConfig(['--token', TOKEN, ...args, '--listen', `127.0.0.1:${port}`], {})
  if (config === 'help') throw new Error('unreachable')
  return startBridge({ ...config, upstream, ...overrides })
}

/** Starts a bridge for the file (after `useValkey()`), stopped after its tests. */
export const useBridge = (
  valkey: { readonly url: string },
  overrides: Partial<BridgeConfig> = {},
): { readonly url: string; readonly server: BridgeServer } => {
  let server: BridgeServer | undefined
  beforeAll(async () => {
    server = await startTestBridge(valkey.url, { args: ['--read-only-token', READ_TOKEN], overrides })
  })
  afterAll(async () => {
    await server?.close()
  })
  return {
    get server() {
      if (!server) throw new Error('useBridge(): only available inside tests and hooks')
      return server
    },
    get url() {
      return this.server.url
    },
  }
}

/**
 * `floodgate bridge` as its own process on a free loopback port, in front of `upstream`, with the
 * full `TOKEN` and the `extra` flags; `nodeArgs` go to node (e.g. `--import` of a probe).
 */
export const spawnTestBridge = (
  upstream: string,
  extra: string[] = [],
  nodeArgs: string[] = [],
): Promise<BridgeProcess> =>
  spawnBridge(['--listen', '127.0.0.1:0', '--token', TOKEN, '--upstream', upstream, ...extra], {}, nodeArgs)

/** `spawnTestBridge()` for the file (after `useValkey()`): started before its tests, SIGKILLed after. */
export const useBridgeProcess = (
  valkey: { readonly url: string },
  extra: string[] = [],
  nodeArgs: string[] = [],
): Pick<BridgeProcess, 'url' | 'child' | 'stderr'> => {
  let bridge: BridgeProcess | undefined
  beforeAll(async () => {
    bridge = await spawnTestBridge(valkey.url, extra, nodeArgs)
  }, 60_000)
  afterAll(() => {
    bridge?.child.kill('SIGKILL')
  })
  const started = (): BridgeProcess => {
    if (!bridge) throw new Error('useBridgeProcess(): only available inside tests and hooks')
    return bridge
  }
  return {
    get url() {
      return started().url
    },
    get child() {
      return started().child
    },
    stderr: () => started().stderr(),
  }
}

/**
 * A TCP client on the file's Valkey (after `useValkey()`), opened before its tests and closed
 * after: the SSE tests publish with it while a bridge streams to a subscriber.
 */
export const usePublisher = (
  valkey: { readonly url: string },
  options: Pick<TcpClientOptions, 'commandTimeout'> = {},
): Pick<Client, 'send' | 'pipeline'> => {
  let client: Client | undefined
  beforeAll(() => {
    client = createTcpClient({ url: valkey.url, connect: socketConnect, ...options })
  })
  afterAll(() => client?.close())
  const opened = (): Client => {
    if (!client) throw new Error('usePublisher(): only available inside tests and hooks')
    return client
  }
  return {
    send: (command, sendOptions) => opened().send(command, sendOptions),
    pipeline: (commands, sendOptions) => opened().pipeline(commands, sendOptions),
  }
}

/**
 * A raw HTTP/1.1 `GET /<kind>/<channel>` to the bridge at `url`, so the test decides when (and
 * whether) it reads; resolves once the subscribe confirmation arrived, or after 5 s without it.
 * `received()` is everything read so far, headers and chunk framing included, as latin1 (one
 * character per byte: `Buffer.from(text, 'latin1')` gives the bytes back).
 */
export const rawSubscribe = async (
  url: string,
  channel: string,
  kind: 'subscribe' | 'psubscribe' = 'subscribe',
): Promise<{ socket: Socket; received: () => string }> => {
  const { hostname, port } = new URL(url)
  const socket = connect({ host: hostname, port: Number(port) })
  let text = ''
  socket.setEncoding('latin1')
  socket.on('data', (chunk: string) => (text += chunk))
  socket.write(`GET /${kind}/${channel} HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${TOKEN}\r\n\r\n`)
  for (let i = 0; i < 200 && !text.includes(`data: ${kind},${channel},1`); i++)
    await new Promise((resolve) => setTimeout(resolve, 25))
  return { socket, received: () => text }
}

/** The data of each whole chunk of a chunked HTTP/1.1 response read so far (`received()`). */
export const chunksOf = (raw: string): string[] => {
  let at = raw.indexOf('\r\n\r\n') + 4
  const chunks: string[] = []
  for (;;) {
    const eol = raw.indexOf('\r\n', at)
    if (eol === -1) return chunks
    const size = Number.parseInt(raw.slice(at, eol), 16)
    if (!(size > 0) || eol + 2 + size > raw.length) return chunks
    chunks.push(raw.slice(eol + 2, eol + 2 + size))
    at = eol + 2 + size + 2
  }
}

/** GETs the bridge's `/metrics` with the full token; the page must answer 200. */
export const scrape = async (url: string): Promise<string> => {
  const response = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })
  expect(response.status).toBe(200)
  return response.text()
}

/** The value of one sample on a `/metrics` page, e.g. `value(text, 'redis_db_keys{db="db0"}')`. */
export const value = (text: string, series: string): number | undefined => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `))
  return line === undefined ? undefined : Number(line.slice(series.length + 1))
}

/** POSTs `body` (JSON-encoded unless a string) with the full token unless told otherwise. */
export const post = async (
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: unknown; headers: Headers }> => {
  const response = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
  const text = await response.text()
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    json = text
  }
  return { status: response.status, json, headers: response.headers }
}

/**
 * Sends a PING to the bridge at `url` every 10 ms until `stop()`, which resolves with the slowest
 * round trip (ms) and how many were answered; every answer must be PONG.
 */
export const pingAlongside = (url: string) => {
  let slowest = 0
  let pings = 0
  let done = false
  const pinger = (async () => {
    while (!done) {
      const started = performance.now()
      const pong = await post(url, ['PING'])
      expect(pong.json).toEqual({ result: 'PONG' })
      slowest = Math.max(slowest, performance.now() - started)
      pings++
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
  })()
  return {
    async stop() {
      done = true
      await pinger
      return { slowest, pings }
    },
  }
}
