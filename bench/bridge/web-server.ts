/**
 * The bridge served the web-standard way on node:http: each request becomes a `Request`, goes
 * through `bridge.fetch`, and the `Response` is copied back. The benchmark compares it with the
 * CLI's plain-object path (`bridge.handle`) to show what building a Request/Response per call
 * costs. Usage: tsx web-server.ts <port> <upstream-url> <token>
 */
import { createServer } from 'node:http'
import { connectUpstream, createBridge } from '../../src/bridge/index.ts'
import { connect } from '../../src/bridge/node/socket.ts'

const [port, upstream, token] = process.argv.slice(2)
const bridge = createBridge({ upstream: connectUpstream({ url: upstream!, connect }), tokens: [token!] })
createServer((req, res) => {
  const chunks: Buffer[] = []
  req.on('data', (chunk: Buffer) => chunks.push(chunk))
  req.on('end', async () => {
    const headers = new Headers()
    for (const [name, value] of Object.entries(req.headers))
      if (typeof value === 'string') headers.set(name, value)
    const body = chunks.length > 0 ? Buffer.concat(chunks) : null
    const request = new Request(`http://${req.headers.host}${req.url}`, {
      method: req.method!,
      headers,
      body,
    })
    const response = await bridge.fetch(request)
    res.writeHead(response.status, Object.fromEntries(response.headers))
    res.end(Buffer.from(await response.arrayBuffer()))
  })
}).listen(Number(port), '127.0.0.1', () => console.log('ready'))
