/**
 * The bridge's web-standard handler inside Deno: `createBridge(...).fetch(request)` with the
 * upstream over `Deno.connect`, against the Valkey on `VALKEY_PORT`. No Node API is involved. Run
 * by `test/runtimes/bridge.deno.test.ts` as `deno test --allow-net=127.0.0.1 --allow-env=VALKEY_PORT`.
 */
import { connect } from '../../../adapters/deno/socket.ts'
import { connectUpstream, createBridge } from '../../../src/bridge/index.ts'
import { Deno } from './deno.ts'

const TOKEN = 'deno-token-0123456789abcdef'
const bridge = createBridge({
  upstream: connectUpstream({ url: `redis://127.0.0.1:${Deno.env.get('VALKEY_PORT')}`, connect }),
  tokens: [TOKEN],
})

const call = async (path: string, body: string, headers: Record<string, string> = {}) => {
  const response = await bridge.fetch(
    new Request(`http://bridge.local${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, ...headers },
      body,
    }),
  )
  return { status: response.status, text: await response.text() }
}

const equal = (actual: unknown, expected: unknown) => {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    throw new Error(`expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`)
  }
}

const test = (name: string, fn: () => Promise<void>) =>
  Deno.test({ name, fn, sanitizeOps: false, sanitizeResources: false })

test('runs a command and a pipeline', async () => {
  equal(await call('/', '["SET","deno:k","v"]'), { status: 200, text: '{"result":"OK"}' })
  equal(await call('/pipeline', '[["INCR","deno:n"],["GET","deno:k"]]', { 'upstash-encoding': 'base64' }), {
    status: 200,
    text: '[{"result":1},{"result":"dg=="}]',
  })
})

test('runs a transaction', async () => {
  equal(await call('/multi-exec', '[["INCR","deno:t"],["INCR","deno:t"]]'), {
    status: 200,
    text: '[{"result":1},{"result":2}]',
  })
})

test('refuses a bad token and a dangerous command', async () => {
  equal((await call('/', '["PING"]', { authorization: 'Bearer nope' })).status, 401)
  equal((await call('/', '["FLUSHALL"]')).status, 400)
})

test('streams a subscription', async () => {
  const response = await bridge.fetch(
    new Request('http://bridge.local/subscribe/deno:chat', {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}` },
    }),
  )
  const reader = response.body!.getReader()
  const decoder = new TextDecoder()
  equal(decoder.decode((await reader.read()).value), 'data: subscribe,deno:chat,1\n\n')
  equal(await call('/', '["PUBLISH","deno:chat","hi"]'), { status: 200, text: '{"result":1}' })
  equal(decoder.decode((await reader.read()).value), 'data: message,deno:chat,hi\n\n')
  await reader.cancel()
})

test('close', () => bridge.close())
