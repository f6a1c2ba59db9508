import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { clientIp } from '../../src/hono/client-ip.ts'

const app = new Hono()
app.get('/', (c) => c.text(clientIp(c) ?? 'none'))
app.get('/proxied', (c) => c.text(clientIp(c, { trustProxy: 1 }) ?? 'none'))

const spoofed = { 'x-forwarded-for': '6.6.6.6', 'cf-connecting-ip': '7.7.7.7', 'x-real-ip': '8.8.8.8' }

describe('clientIp (Hono)', () => {
  it("reads the Node socket from @hono/node-server's env and ignores headers", async () => {
    const env = { incoming: { socket: { remoteAddress: '203.0.113.1' } } }
    expect(await (await app.request('/', { headers: spoofed }, env)).text()).toBe('203.0.113.1')
  })

  it("reads Deno's remoteAddr from the handler info", async () => {
    const info = { remoteAddr: { hostname: '203.0.113.2', port: 1, transport: 'tcp' } }
    expect(await (await app.request('/', { headers: spoofed }, info)).text()).toBe('203.0.113.2')
  })

  it('trusts no header outside the platform that sets it', async () => {
    expect(await (await app.request('/', { headers: spoofed })).text()).toBe('none')
  })

  it('reads X-Forwarded-For only with trustProxy', async () => {
    const env = { incoming: { socket: { remoteAddress: '10.0.0.1' } } }
    const headers = { 'x-forwarded-for': '6.6.6.6, 203.0.113.3' }
    expect(await (await app.request('/proxied', { headers }, env)).text()).toBe('203.0.113.3')
    expect(await (await app.request('/proxied', { headers })).text()).toBe('203.0.113.3')
  })
})
