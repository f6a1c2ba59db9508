/**
 * `npm run bench session`: stateless sessions vs iron-session (target: >= 3.5x its ops/s), and a
 * stateful load+save over TCP against a valkey-server this bench starts (target: one round trip
 * each) vs the connect-redis command pattern, printed as ratios. SLICES (default 25) and SLICE_MS
 * (default 200) set how long each variant runs, in interleaved slices.
 */
import { report } from '../report.ts'
import { benchCrypto } from './crypto.ts'
import { median, summary } from './measure.ts'
import { benchStateful } from './stateful.ts'

const SLICES = Number(process.env.SLICES ?? 25)
const SLICE_MS = Number(process.env.SLICE_MS ?? 200)

const ratio = (a: { rates: number[] }, b: { rates: number[] }) =>
  (median(a.rates) / median(b.rates)).toFixed(2)

console.log(`# stateless: ${SLICES} slices x ${SLICE_MS} ms per variant, interleaved; median slice`)
const [floodgate, iron] = await benchCrypto(SLICES, SLICE_MS)
for (const result of [floodgate!, iron!]) console.log(`${result.name}: ${summary(result)}`)
console.log(`ratio floodgate stateless / iron-session: ${ratio(floodgate!, iron!)}x ops/s (target >= 3.5x)`)
console.log(`CPU per op iron-session / floodgate: ${(iron!.cpuPerOp / floodgate!.cpuPerOp).toFixed(2)}x`)

console.log(
  `\n# stateful over TCP to a valkey-server on loopback: ${SLICES} slices x ${SLICE_MS} ms, interleaved`,
)
const stateful = await benchStateful(SLICES, SLICE_MS)
const [session, pings, peer] = stateful.results
for (const result of stateful.results) console.log(`${result.name}: ${summary(result)}`)
console.log(
  `round trips per request: load ${stateful.loadTrips.toFixed(2)}, save ${stateful.saveTrips.toFixed(2)} (target 1 each)`,
)
console.log(`ratio stateful load+save / two-PING floor: ${ratio(session!, pings!)}x`)
console.log(`ratio stateful load+save / connect-redis pattern: ${ratio(session!, peer!)}x`)

report(
  'Sessions, floodgate / peer',
  [
    {
      label: 'stateless request (open + seal) / iron-session, ops/s',
      value: Number(ratio(floodgate!, iron!)),
      target: 3.5,
    },
    {
      label: 'stateless request, CPU per op (iron-session / ours)',
      value: iron!.cpuPerOp / floodgate!.cpuPerOp,
    },
    { label: 'stateful load + save / connect-redis pattern, ops/s', value: Number(ratio(session!, peer!)) },
  ],
  [
    { label: 'CPU per stateless request', value: Math.round(floodgate!.cpuPerOp), unit: 'µs' },
    { label: 'round trips per stateful request, load', value: stateful.loadTrips },
    { label: 'round trips per stateful request, save', value: stateful.saveTrips },
  ],
)
