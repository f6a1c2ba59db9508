/**
 * An LLM-style call behind floodgate's cache: a local fake completion endpoint that takes 500 ms,
 * cached by a hash of model + prompt + parameters. Prints each call's status (miss, hit, stale)
 * and time, how many requests reached the endpoint, and the cache's counters.
 *
 *   npx tsx examples/cache/llm.ts                                          # memory backend
 *   FLOODGATE_URL=redis://127.0.0.1:6379 npx tsx examples/cache/llm.ts     # Valkey over TCP
 */
import { createServer } from 'node:http'
import { createCache } from 'floodgate'
import { clientFromEnv } from 'floodgate/node'

// The fake endpoint: answers a completion after 500 ms, counting the requests it serves.
let upstreamCalls = 0
const upstream = createServer((req, res) => {
  let body = ''
  req.on('data', (chunk) => {
    body += chunk
  })
  req.on('end', () => {
    upstreamCalls++
    const { prompt } = JSON.parse(body) as { prompt: string }
    setTimeout(() => {
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify({ text: `(${upstreamCalls}) an answer to "${prompt}"`, tokens: 42 }))
    }, 500)
  })
})
await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve))
const address = upstream.address()
const endpoint = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/v1/complete`

interface Params {
  model: string
  prompt: string
  temperature: number
  maxTokens: number
}

/** The cache key: a SHA-256 of everything that changes the answer, in a fixed order. */
const keyOf = async (p: Params): Promise<string> => {
  const canonical = JSON.stringify([p.model, p.prompt, p.temperature, p.maxTokens])
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(canonical)))
  return `llm:${Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('')}`
}

const client = clientFromEnv(process.env)
const cache = createCache({ client, prefix: 'example:llm', ttl: '2 s', grace: '1 h' })

const complete = async (label: string, p: Params) => {
  const started = performance.now()
  const result = await cache.load(await keyOf(p), async () => {
    const res = await fetch(endpoint, { method: 'POST', body: JSON.stringify(p) })
    return (await res.json()) as { text: string; tokens: number }
  })
  const ms = (performance.now() - started).toFixed(0).padStart(4)
  console.log(`${label.padEnd(44)} ${result.status.padEnd(5)} ${ms} ms  ${result.value.text}`)
  return result
}

const ask: Params = { model: 'fake-1', prompt: 'What is a cache stampede?', temperature: 0, maxTokens: 200 }
await complete('first call', ask)
await complete('same call again', ask)
const before = upstreamCalls
await Promise.all(
  Array.from({ length: 5 }, (_, i) =>
    complete(`new prompt, 5 callers at once (#${i + 1})`, { ...ask, prompt: 'Why Valkey?' }),
  ),
)
const together = upstreamCalls - before
await complete('same prompt, temperature 0.7', { ...ask, temperature: 0.7 })
console.log('... waiting 2.5 s for the first answer to go stale')
await new Promise((resolve) => setTimeout(resolve, 2500))
const stale = await complete('after expiry, within grace', ask)
await stale.pending // the one background refresh
await complete('after the refresh', ask)

console.log(`\nendpoint requests: ${upstreamCalls} (the 5 concurrent callers made ${together} of them)`)
const m = cache.metrics()
console.log(`hits ${m.hits}, misses ${m.misses}, stale served ${m.staleServed}, refreshes ${m.refreshes}`)
upstream.close()
await client.close()
