import { describe, expect, it } from 'vitest'
import { ipKey } from '../../src/limit/ip-key.ts'

describe('ipKey', () => {
  it('keeps an IPv4 address as it is', () => {
    expect(ipKey('203.0.113.7')).toBe('203.0.113.7')
  })

  it('keys an IPv6 address by its /64, so rotating the interface id changes nothing', () => {
    expect(ipKey('2001:db8:1:2:aaaa:bbbb:cccc:dddd')).toBe('2001:db8:1:2::/64')
    expect(ipKey('2001:DB8:1:2::1')).toBe('2001:db8:1:2::/64')
    expect(ipKey('2001:db8:1:2:ffff::')).toBe(ipKey('2001:db8:1:2::'))
    expect(ipKey('2001:db8:1:3::1')).not.toBe(ipKey('2001:db8:1:2::1'))
  })

  it('keys an IPv4-mapped IPv6 address as the IPv4 client it is', () => {
    expect(ipKey('::ffff:203.0.113.7')).toBe('203.0.113.7')
    expect(ipKey('::FFFF:198.51.100.1', { ipv6Subnet: 56 })).toBe('198.51.100.1')
  })

  it('takes another prefix length, down to the bit', () => {
    expect(ipKey('2001:db8:1:2ff::1', { ipv6Subnet: 56 })).toBe('2001:db8:1:200::/56')
    expect(ipKey('::1', { ipv6Subnet: 128 })).toBe('0:0:0:0:0:0:0:1/128')
    expect(ipKey('::1')).toBe('::/64')
    expect(ipKey('64:ff9b::192.0.2.33', { ipv6Subnet: 128 })).toBe('64:ff9b:0:0:0:0:c000:221/128')
  })

  it('leaves what it cannot parse unchanged and rejects a nonsense prefix', () => {
    expect(ipKey('1::2::3')).toBe('1::2::3')
    expect(() => ipKey('::1', { ipv6Subnet: 0 })).toThrow(
      /ipv6Subnet must be a whole number of bits from 1 to 128/,
    )
  })
})
