/**
 * The Node server hands the handler the body as it arrives: a body sent in parts, with pauses, is
 * parsed as it comes and answered once whole; a request answered without its body being read (a
 * 401) leaves its connection usable for the next request; an oversized body sent without a
 * length still gets its 413.
 */
import { Agent, request } from 'node:http'
import { describe, expect, it } from 'vitest'
import { useValkey } from '../support/use-valkey.ts'
import { TOKEN, useBridge } from './support.ts'

const valkey = useValkey()
const bridge = useBridge(valkey)

interface Sent {
  status: number
  body: string
  socket: unknown
}

/** POSTs `parts` one by one, `gap` ms apart, without a content-length (chunked). */
const send = (path: string, parts: string[], gap: number, agent: Agent, token = TOKEN): Promise<Sent> =>
  new Promise((resolve, reject) => {
    const req = request(`${bridge.url}${path}`, {
      method: 'POST',
      agent,
      headers: { authorization: `Bearer ${token}` },
    })
    req.on('response', (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (body += chunk))
      res.on('end', () => resolve({ status: res.statusCode!, body, socket: req.socket }))
    })
    req.on('error', reject)
    let i = 0
    const next = () => {
      if (i === parts.length) return void req.end()
      req.write(parts[i++])
      setTimeout(next, gap)
    }
    next()
  })

describe('bodies as they arrive', () => {
  it('parses a pipeline sent in parts, with pauses, split inside strings and numbers', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 })
    const body = JSON.stringify([
      ['SET', 'arrival', 'a value split across parts of the upload'],
      ['INCRBY', 'arrival:n', 12345],
      ['GET', 'arrival'],
    ])
    const parts = [body.slice(0, 20), body.slice(20, 45), body.slice(45, 77), body.slice(77)]
    const sent = await send('/pipeline', parts, 50, agent)
    expect(sent.status).toBe(200)
    expect(JSON.parse(sent.body)).toEqual([
      { result: 'OK' },
      { result: 12345 },
      { result: 'a value split across parts of the upload' },
    ])
    agent.destroy()
  })

  it('keeps the connection usable after answering a request whose body it did not read', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 })
    const big = JSON.stringify(['SET', 'never', 'x'.repeat(2 * 1024 * 1024)])
    const refused = await send('/', [big.slice(0, 1000), big.slice(1000)], 100, agent, 'wrong-token')
    expect(refused.status).toBe(401)
    const next = await send('/', ['["ECHO","still in step"]'], 0, agent)
    expect(next.status).toBe(200)
    expect(JSON.parse(next.body)).toEqual({ result: 'still in step' })
    expect(next.socket).toBe(refused.socket)
    agent.destroy()
  })

  it('answers 413 to a body past --max-body sent without a length, and 400 to one too deep', async () => {
    const agent = new Agent({ keepAlive: false })
    const huge = `["SET","k","${'x'.repeat(11 * 1024 * 1024)}"]`
    const tooLarge = await send('/', [huge.slice(0, 5_000_000), huge.slice(5_000_000)], 10, agent)
    expect(tooLarge.status).toBe(413)
    expect(JSON.parse(tooLarge.body)).toEqual({ error: 'ERR max request size exceeded' })
    const deep = await send('/pipeline', ['[[[[', '1]]]]'], 50, agent)
    expect(deep.status).toBe(400)
    expect(JSON.parse(deep.body).error).toMatch(/nests too deeply \(at byte 3\)/)
    agent.destroy()
  })
})
