/**
 * `npm run bench session`: stateless sessions vs iron-session (target: >= 3.5x its ops/s), and a
 * stateful load+save over TCP against a valkey-server this bench starts (target: one round trip
 * each), printed as ratios. ROUNDS and SECONDS (per round and variant) tune the run.
 */
import { benchCrypto, median } from './crypto.ts'
import { benchStateful } from './stateful.ts'

const ROUNDS = Number(process.env.ROUNDS ?? 5)
const SECONDS = Number(process.env.SECONDS ?? 1)

const summary = (values: readonly number[]): string => {
  const sorted = [...values].sort((a, b) => a - b)
  return `${Math.round(median(values))} ops/s (min ${Math.round(sorted[0]!)}, max ${Math.round(sorted.at(-1)!)})`
}

console.log(`# stateless: ${ROUNDS} rounds x ${SECONDS} s per variant, interleaved, median`)
const crypto = await benchCrypto(ROUNDS, SECONDS)
for (const { name, opsPerSec } of crypto) console.log(`${name}: ${summary(opsPerSec)}`)
const ratio = median(crypto[0]!.opsPerSec) / median(crypto[1]!.opsPerSec)
console.log(`ratio floodgate stateless / iron-session: ${ratio.toFixed(2)}x (target >= 3.5x)`)

console.log(`\n# stateful over TCP (valkey-server on loopback): ${ROUNDS} rounds x ${SECONDS} s, interleaved`)
const stateful = await benchStateful(ROUNDS, SECONDS)
console.log(`floodgate stateful load+save (one field changed): ${summary(stateful.session)}`)
console.log(`floor, two PINGs on the same client: ${summary(stateful.pings)}`)
console.log(
  `peer, connect-redis pattern (GET + SET EX of the whole JSON, node-redis): ${summary(stateful.peer)}`,
)
console.log(
  `round trips per request: load ${stateful.loadTrips.toFixed(2)}, save ${stateful.saveTrips.toFixed(2)} (target 1 each)`,
)
console.log(
  `ratio stateful load+save / two-PING floor: ${(median(stateful.session) / median(stateful.pings)).toFixed(2)}x`,
)
console.log(
  `ratio stateful load+save / connect-redis pattern: ${(median(stateful.session) / median(stateful.peer)).toFixed(2)}x`,
)
