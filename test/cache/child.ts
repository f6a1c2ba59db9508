/**
 * A second process for the cache's cross-process tests, run with `node --import tsx`:
 * - `stampede <url> <prefix> <key> <n> <processes>`: once all `processes` are connected (they
 *   meet on `<prefix>:ready`), makes `n` concurrent getOrSet calls; its factory INCRs `<prefix>:calls` in Valkey and takes 200 ms. Prints the values.
 * - `hold <url> <prefix> <key> <lockTtl>`: starts a getOrSet whose factory never returns, prints
 *   `computing` once it runs (holding the key's lock), and waits to be killed.
 */
import { connect } from '../../src/bridge/node/socket.ts'
import { createCache } from '../../src/cache/cache.ts'
import { createTcpClient } from '../../src/client/tcp/client.ts'

const [mode, url, prefix, key, a, b] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string,
  string,
]
const client = createTcpClient({ url, connect })

if (mode === 'stampede') {
  const cache = createCache({ client, prefix, timeout: 30_000 })
  await client.send(['INCR', `${prefix}:ready`])
  while (Number(await client.send(['GET', `${prefix}:ready`])) < Number(b)) {
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
  const factory = async () => {
    await client.send(['INCR', `${prefix}:calls`])
    await new Promise((resolve) => setTimeout(resolve, 200))
    return 'computed'
  }
  const values = await Promise.all(Array.from({ length: Number(a) }, () => cache.getOrSet(key, factory)))
  console.log(JSON.stringify([...new Set(values)]))
  await client.close()
} else if (mode === 'hold') {
  const cache = createCache({ client, prefix, lockTtl: Number(a), timeout: 30_000 })
  void cache.getOrSet(key, () => {
    console.log('computing')
    return new Promise(() => {})
  })
}
