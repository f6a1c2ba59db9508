/**
 * A Cloudflare Worker that relays a pub/sub channel to the browser as Server-Sent Events, through
 * the floodgate bridge (Workers cannot hold a subscribed TCP socket past the request that opened
 * it, and an SSE stream through the bridge is one subrequest that can stay open).
 *
 * GET  /                      a page that shows a room's messages (EventSource)
 * GET  /rooms/:room/events    the room's messages as SSE, a comment every 15 s, `gap` events
 * POST /rooms/:room           publishes the request body to the room
 */
import { createHttpClient } from 'floodgate'
import { sseRelay } from 'floodgate/hono'
import { Hono } from 'hono'

interface Env {
  FLOODGATE_URL: string
  FLOODGATE_TOKEN: string
}

// One client per request: its fetches belong to that request.
const client = (env: Env) => createHttpClient({ url: env.FLOODGATE_URL, token: env.FLOODGATE_TOKEN })

const page = `<!doctype html><meta charset="utf-8"><title>room</title>
<ul id="log"></ul><form><input name="m" autofocus><button>send</button></form>
<script>
const room = new URLSearchParams(location.search).get('room') || 'lobby'
const log = (text) => document.getElementById('log').append(Object.assign(document.createElement('li'), { textContent: text }))
const events = new EventSource('/rooms/' + room + '/events')
events.onmessage = (e) => log(e.data)
events.addEventListener('gap', () => log('(reconnected: messages may have been missed)'))
document.querySelector('form').onsubmit = (e) => {
  e.preventDefault()
  fetch('/rooms/' + room, { method: 'POST', body: e.target.m.value })
  e.target.m.value = ''
}
</script>`

const app = new Hono<{ Bindings: Env }>()
  .get('/', (c) => c.html(page))
  .get(
    '/rooms/:room/events',
    sseRelay<{ Bindings: Env }>({
      client: (c) => client(c.env),
      channels: (c) => [`room:${c.req.param('room')}`],
    }),
  )
  .post('/rooms/:room', async (c) => {
    const http = client(c.env)
    const receivers = await http.send(['PUBLISH', `room:${c.req.param('room')}`, await c.req.text()])
    return c.json({ receivers })
  })

export default app
