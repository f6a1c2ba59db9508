/**
 * examples/workers-sse inside workerd (Miniflare), against the real bridge in front of Valkey: a
 * browser-like client reads the room's SSE stream while another request publishes to the room.
 */
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { Miniflare } from 'miniflare'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TOKEN, useBridge } from '../bridge/support.ts'
import { useValkey } from '../support/use-valkey.ts'

const root = fileURLToPath(new URL('../..', import.meta.url))
const valkey = useValkey()
const bridge = useBridge(valkey)
let mf: Miniflare

beforeAll(async () => {
  const built = await build({
    entryPoints: [`${root}examples/workers-sse/worker.ts`],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    write: false,
    alias: { floodgate: `${root}src/index.ts`, 'floodgate/hono': `${root}src/hono/index.ts` },
  })
  mf = new Miniflare({
    modules: true,
    script: built.outputFiles[0]!.text,
    compatibilityDate: '2025-01-01',
    bindings: { FLOODGATE_URL: bridge.url, FLOODGATE_TOKEN: TOKEN },
  })
}, 60_000)
afterAll(() => mf?.dispose())

describe('examples/workers-sse', () => {
  it('streams what is published to the room as SSE events', async () => {
    const response = await mf.dispatchFetch('http://localhost/rooms/lobby/events')
    expect(response.headers.get('content-type')).toBe('text/event-stream')
    const reader = response.body!.getReader()
    const decoder = new TextDecoder()
    let text = ''
    // Publish until the stream is subscribed and the message arrives.
    const deadline = Date.now() + 20_000
    let published = false
    const reading = (async () => {
      while (!text.includes('hello workers')) {
        const { value, done } = await reader.read()
        if (done) break
        text += decoder.decode(value, { stream: true })
      }
    })()
    while (!text.includes('hello workers') && Date.now() < deadline) {
      const sent = await mf.dispatchFetch('http://localhost/rooms/lobby', {
        method: 'POST',
        body: 'hello workers',
      })
      published ||= ((await sent.json()) as { receivers: number }).receivers > 0
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    await reading
    expect(published).toBe(true)
    expect(text).toContain('event: message\ndata: hello workers\n\n')
    await reader.cancel()
  }, 40_000)

  it('serves the page that opens the stream', async () => {
    const page = await (await mf.dispatchFetch('http://localhost/?room=lobby')).text()
    expect(page).toContain("new EventSource('/rooms/' + room + '/events')")
  })
})
