/**
 * examples/pubsub-hub end to end: two hub processes (tsx, as the README runs them) behind one
 * Valkey, a real WebSocket client on each; a message sent to one process reaches the other's client.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { useValkey } from '../support/use-valkey.ts'
import { freePort } from '../support/valkey.ts'

const SERVER = join(import.meta.dirname, '../../examples/pubsub-hub/server.ts')
const valkey = useValkey()
const hubs: ChildProcess[] = []

const startHub = async (): Promise<string> => {
  const port = await freePort()
  const child = spawn(process.execPath, ['--import', 'tsx', SERVER], {
    env: { ...process.env, FLOODGATE_URL: valkey.url, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  hubs.push(child)
  let out = ''
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the hub did not start in 30 s:\n${out}`)), 30_000)
    const read = (chunk: Buffer) => {
      out += chunk
      const match = /hub listening on (ws:\/\/\S+)/.exec(out)
      if (match) {
        clearTimeout(timer)
        resolve(match[1]!)
      }
    }
    child.stdout!.on('data', read)
    child.stderr!.on('data', read)
    child.once('exit', (code) => reject(new Error(`the hub exited (${code}):\n${out}`)))
  })
}

const open = (url: string) =>
  new Promise<WebSocket>((resolve, reject) => {
    const socket = new WebSocket(url)
    socket.once('open', () => resolve(socket))
    socket.once('error', reject)
  })

const next = (socket: WebSocket) =>
  new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no message in 10 s')), 10_000)
    socket.once('message', (data) => {
      clearTimeout(timer)
      resolve(data.toString())
    })
  })

describe('examples/pubsub-hub', () => {
  let urls: string[] = []
  beforeAll(async () => {
    urls = await Promise.all([startHub(), startHub()])
  }, 60_000)
  afterAll(async () => {
    await Promise.all(
      hubs.map((child) => new Promise((resolve) => child.once('exit', resolve).kill('SIGTERM'))),
    )
  })

  it('delivers a message sent to one process to the clients of both, in its room only', async () => {
    const [a, b, other] = await Promise.all([
      open(`${urls[0]}/?room=lobby`),
      open(`${urls[1]}/?room=lobby`),
      open(`${urls[1]}/?room=elsewhere`),
    ])
    let leaked = false
    other!.on('message', () => {
      leaked = true
    })
    const atB = next(b!)
    const atA = next(a!)
    a!.send('hello from process one')
    expect(await atB).toBe('hello from process one')
    expect(await atA).toBe('hello from process one')
    const back = next(a!)
    b!.send('and back')
    expect(await back).toBe('and back')
    expect(leaked).toBe(false)
    for (const socket of [a, b, other]) socket!.close()
  }, 30_000)
})
