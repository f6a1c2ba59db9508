/**
 * `npm run bench session`: stateless sessions vs iron-session (target: >= 3.5x its ops/s), and a
 * stateful load+save over TCP against a valkey-server this bench starts (target: one round trip
 * each), printed as ratios.
 */
import { benchCrypto, median } from './crypto.ts'

const ROUNDS = Number(process.env.ROUNDS ?? 5)
const SECONDS = Number(process.env.SECONDS ?? 1)

const crypto = await benchCrypto(ROUNDS, SECONDS)
for (const { name, opsPerSec } of crypto) {
  const sorted = [...opsPerSec].sort((a, b) => a - b)
  console.log(
    `${name}: ${Math.round(median(opsPerSec))} ops/s (min ${Math.round(sorted[0]!)}, max ${Math.round(sorted.at(-1)!)})`,
  )
}
const ratio = median(crypto[0]!.opsPerSec) / median(crypto[1]!.opsPerSec)
console.log(`ratio floodgate stateless / iron-session: ${ratio.toFixed(2)}x (target >= 3.5x)`)
