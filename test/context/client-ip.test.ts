import { describe, expect, it } from 'vitest'
import {
  cleanIp,
  cloudflareIp,
  denoIp,
  forwardedIp,
  nodeIp,
  trustedHops,
  vercelIp,
} from '../../src/context/client-ip.ts'

const request = (headers: Record<string, string>) => new Request('https://app.example/', { headers })

describe('cleanIp', () => {
  it('keeps IPv4 and IPv6 literals and drops brackets, ports and the IPv4-mapped prefix', () => {
    expect(cleanIp(' 203.0.113.7 ')).toBe('203.0.113.7')
    expect(cleanIp('2001:db8::1')).toBe('2001:db8::1')
    expect(cleanIp('[2001:db8::1]:443')).toBe('2001:db8::1')
    expect(cleanIp('203.0.113.7:8080')).toBe('203.0.113.7')
    expect(cleanIp('::ffff:203.0.113.7')).toBe('203.0.113.7')
  })

  it('refuses anything that is not an address, so a header cannot inject an arbitrary key', () => {
    for (const junk of [
      '',
      'unknown',
      'alice',
      '1.2.3.4; drop',
      'a'.repeat(60),
      '{prefix}:x',
      null,
      undefined,
    ]) {
      expect(cleanIp(junk)).toBeUndefined()
    }
  })
})

describe('forwardedIp', () => {
  const headers = new Headers({ 'x-forwarded-for': '6.6.6.6, 10.0.0.1, 203.0.113.7' })

  it('counts trusted hops from the right, never trusting what the client wrote on the left', () => {
    expect(forwardedIp(headers, 1)).toBe('203.0.113.7')
    expect(forwardedIp(headers, 2)).toBe('10.0.0.1')
    expect(forwardedIp(headers, 3)).toBe('6.6.6.6')
  })

  it('takes the leftmost entry when fewer proxies wrote than are trusted, and nothing for 0 hops', () => {
    expect(forwardedIp(headers, 5)).toBe('6.6.6.6')
    expect(forwardedIp(headers, 0)).toBeUndefined()
    expect(forwardedIp(new Headers(), 1)).toBeUndefined()
  })
})

describe('trustedHops', () => {
  it('maps false, true and counts, and rejects nonsense with a TypeError', () => {
    expect(trustedHops(undefined)).toBe(0)
    expect(trustedHops(false)).toBe(0)
    expect(trustedHops(true)).toBe(1)
    expect(trustedHops(2)).toBe(2)
    expect(() => trustedHops(-1)).toThrow(
      /trustProxy must be a boolean or a non-negative integer, received -1/,
    )
    expect(() => trustedHops(1.5)).toThrow(TypeError)
  })
})

describe('the runtime readers', () => {
  const spoofed = { 'x-forwarded-for': '6.6.6.6' }

  it('Cloudflare reads cf-connecting-ip and ignores X-Forwarded-For by default', () => {
    const req = request({ 'cf-connecting-ip': '203.0.113.7', ...spoofed })
    expect(cloudflareIp(req)).toBe('203.0.113.7')
    expect(cloudflareIp(req, { trustProxy: true })).toBe('6.6.6.6')
  })

  it('Vercel reads x-real-ip', () => {
    expect(vercelIp(request({ 'x-real-ip': '203.0.113.8', ...spoofed }))).toBe('203.0.113.8')
    expect(vercelIp(request({}))).toBeUndefined()
  })

  it('Deno reads the handler info remoteAddr', () => {
    const info = { remoteAddr: { hostname: '203.0.113.9', port: 50000, transport: 'tcp' } }
    expect(denoIp(request(spoofed), info)).toBe('203.0.113.9')
    expect(denoIp(request({}), undefined)).toBeUndefined()
  })

  it("Node reads the socket's peer, unwrapping IPv4-mapped addresses", () => {
    const incoming = { socket: { remoteAddress: '::ffff:127.0.0.1' } }
    expect(nodeIp(request(spoofed), incoming)).toBe('127.0.0.1')
    expect(nodeIp(request(spoofed), incoming, { trustProxy: 1 })).toBe('6.6.6.6')
  })
})
