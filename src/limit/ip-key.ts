/**
 * Turns a client address into a rate-limit key. An IPv4 address is its own key. An IPv6 client
 * usually holds a whole /64 (often a /56 or /48): keyed by its full address it could rotate
 * through 2^64 keys and never be limited, so IPv6 addresses are keyed by their prefix.
 */

const hexGroups = (ip: string): number[] | undefined => {
  let text = ip.toLowerCase()
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text)
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number]
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`
  }
  const halves = text.split('::')
  if (halves.length > 2) return undefined
  const head = halves[0] ? halves[0].split(':') : []
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : []
  const missing = 8 - head.length - tail.length
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail]
  const values = groups.map((g) => (/^[0-9a-f]{1,4}$/.test(g) ? Number.parseInt(g, 16) : Number.NaN))
  return values.some(Number.isNaN) ? undefined : values
}

/**
 * The key for `ip`: IPv4 unchanged, IPv6 reduced to its first `ipv6Subnet` bits (default 64) in
 * CIDR form. Pass `ipv6Subnet: 128` to key each IPv6 address on its own.
 *
 * @example
 * ipKey('2001:db8:1:2:aaaa:bbbb:cccc:dddd') // '2001:db8:1:2::/64'
 * ipKey('203.0.113.7') // '203.0.113.7'
 * ipKey('::ffff:203.0.113.7') // '203.0.113.7'
 */
export const ipKey = (ip: string, { ipv6Subnet = 64 }: { ipv6Subnet?: number } = {}): string => {
  if (!Number.isInteger(ipv6Subnet) || ipv6Subnet < 1 || ipv6Subnet > 128) {
    throw new TypeError(`ipv6Subnet must be a whole number of bits from 1 to 128, received ${ipv6Subnet}`)
  }
  if (!ip.includes(':')) return ip
  // An IPv4-mapped address (`::ffff:1.2.3.4`, what Node's dual-stack sockets report) is the IPv4
  // client: masked as IPv6 every such client would share one `::/56` key.
  if (/^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(ip)) return ip.slice(7)
  const groups = hexGroups(ip)
  if (!groups) return ip
  const masked = groups.map((value, i) => {
    const keep = Math.min(16, Math.max(0, ipv6Subnet - i * 16))
    return keep === 0 ? 0 : value & (0xffff << (16 - keep)) & 0xffff
  })
  // Drop the trailing zero groups the mask made: '2001:db8:1:2::/64'.
  let last = masked.length
  while (last > 0 && masked[last - 1] === 0) last--
  const prefix = masked.slice(0, last).map((value) => value.toString(16))
  return `${prefix.join(':')}${last < 8 ? '::' : ''}/${ipv6Subnet}`
}
