/**
 * A command in the `Floodgate-Command` header: the same answer as in the body, on `/`,
 * `/pipeline` and `/multi-exec`, under the same policy and limits; every command answer says the
 * bridge accepts it; a request that also has a body or path arguments, or a header that is not
 * printable ASCII, is a 400, and an oversized header a 431, with the bridge still serving.
 */
import { request } from 'node:http'
import { describe, expect, it } from 'vitest'
import { asHeader, COMMAND_HEADER } from '../../src/client/http/command-header.ts'
import { useValkey } from '../support/use-valkey.ts'
import { post, READ_TOKEN, TOKEN, useBridge } from './support.ts'

const valkey = useValkey()
const bridge = useBridge(valkey, { maxArgs: 50 })

/** JSON in printable ASCII, as floodgate's client sends it. */
const ascii = (value: unknown) => asHeader(JSON.stringify(value), Number.POSITIVE_INFINITY)!

/** POSTs with the command(s) in the header and, if given, a body. */
const inHeader = async (path: string, command: unknown, body?: string, token = TOKEN) => {
  const response = await fetch(bridge.url + path, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, [COMMAND_HEADER]: ascii(command) },
    ...(body === undefined ? {} : { body }),
  })
  return {
    status: response.status,
    json: (await response.json()) as Record<string, unknown> | Array<Record<string, unknown>>,
    accepts: response.headers.get('floodgate-accepts'),
  }
}

describe('a command in the Floodgate-Command header', () => {
  it('runs as the same command in the body would, and the answer says the header is accepted', async () => {
    expect(await inHeader('/', ['SET', 'ch:k', 'v1', 'PX', 60_000])).toEqual({
      status: 200,
      json: { result: 'OK' },
      accepts: 'floodgate-command',
    })
    expect(await inHeader('/', ['GET', 'ch:k'])).toMatchObject({ status: 200, json: { result: 'v1' } })
    expect(await post(bridge.url, ['GET', 'ch:k'])).toMatchObject({ status: 200, json: { result: 'v1' } })
    // \u escapes read back as the characters they stand for, stored as their UTF-8 bytes.
    expect(await inHeader('/', ['SET', 'ch:u', 'é😀'])).toMatchObject({ status: 200 })
    expect(await post(bridge.url, ['STRLEN', 'ch:u'])).toMatchObject({ json: { result: 6 } })
    expect(await post(bridge.url, ['GET', 'ch:u'])).toMatchObject({ json: { result: 'é😀' } })
  })

  it('carries a pipeline and a transaction', async () => {
    const pipeline = await inHeader('/pipeline', [
      ['DEL', 'ch:n'],
      ['INCR', 'ch:n'],
      ['INCRBY', 'ch:n', 4],
      ['HSET', 'ch:n', 'f', 'v'],
    ])
    expect(pipeline.status).toBe(200)
    expect(pipeline.json).toEqual([
      { result: 0 },
      { result: 1 },
      { result: 5 },
      { error: 'WRONGTYPE Operation against a key holding the wrong kind of value' },
    ])
    const transaction = await inHeader('/multi-exec', [
      ['INCR', 'ch:n'],
      ['GET', 'ch:n'],
    ])
    expect(transaction).toMatchObject({ status: 200, json: [{ result: 6 }, { result: '6' }] })
  })

  it('holds the command policy, the read-only token and the argument limit', async () => {
    expect(await inHeader('/', ['FLUSHALL'])).toMatchObject({ status: 400 })
    expect(await inHeader('/', ['SET', 'ch:ro', 'x'], undefined, READ_TOKEN)).toMatchObject({ status: 400 })
    expect(await post(bridge.url, ['EXISTS', 'ch:ro'])).toMatchObject({ json: { result: 0 } })
    const tooMany = await inHeader('/', ['MGET', ...Array.from({ length: 60 }, (_, i) => `k${i}`)])
    expect(tooMany.status).toBe(413)
  })

  it('refuses a command in two places, a header past ASCII and malformed JSON, and keeps serving', async () => {
    const twice = await inHeader('/', ['INCR', 'ch:twice'], JSON.stringify(['INCR', 'ch:twice']))
    expect(twice.status).toBe(400)
    expect((twice.json as { error: string }).error).toMatch(/in one place/)
    expect((await inHeader('/incr/ch:twice', ['INCR', 'ch:twice'])).status).toBe(400)
    expect(await post(bridge.url, ['EXISTS', 'ch:twice'])).toMatchObject({ json: { result: 0 } })

    // fetch refuses to send such a header, so the request is written by hand, as Latin-1 bytes.
    const raw = await rawPost({ 'floodgate-command': '["SET","ch:l","\xe9"]' })
    expect(raw.status).toBe(400)
    expect(raw.body).toMatch(/printable ASCII/)
    const malformed = await rawPost({ 'floodgate-command': '["SET","ch:l"' })
    expect(malformed.status).toBe(400)
    expect(malformed.body).toMatch(/not valid JSON/)
    const oversized = await rawPost({
      'floodgate-command': JSON.stringify(['SET', 'ch:l', 'x'.repeat(20_000)]),
    })
    expect(oversized.status).toBe(431)
    expect(await post(bridge.url, ['EXISTS', 'ch:l'])).toMatchObject({ status: 200, json: { result: 0 } })
  })
})

/** A body-less POST / with `headers`, through node:http (which writes any Latin-1 header value). */
const rawPost = (headers: Record<string, string>): Promise<{ status: number; body: string }> =>
  new Promise((resolve, reject) => {
    const req = request(
      `${bridge.url}/`,
      { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-length': '0', ...headers } },
      (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => (body += chunk))
        res.on('end', () => resolve({ status: res.statusCode!, body }))
      },
    )
    req.on('error', reject)
    req.end()
  })
