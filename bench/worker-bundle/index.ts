/**
 * `npm run bench worker-bundle`: the minified size of floodgate in a Worker, built by
 * `wrangler deploy --dry-run`, excluding hono and jose (target: under 50 KB), next to the
 * `@upstash/ratelimit` + `@upstash/redis` + `iron-session` Worker doing the same job.
 */
import { report } from '../report.ts'
import { measureWorker } from './measure.ts'

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`

const ours = measureWorker('bench/worker-bundle/floodgate-worker.ts')
const example = measureWorker()
const peer = measureWorker('bench/worker-bundle/upstash-worker.ts')

console.log(
  'minified bytes (wrangler deploy --dry-run --minify), hono and jose excluded from the library figure',
)
console.log(
  `floodgate, bridge-only Worker (rateLimit + session over HTTP): ${kb(ours.floodgate)}  (target < 50 KB; whole bundle ${kb(ours.total)})`,
)
console.log(
  `floodgate, examples/cloudflare (HTTP and TCP transports):    ${kb(example.floodgate)}  (whole bundle ${kb(example.total)})`,
)
const peerLib = Object.values(peer.packages).reduce((sum, bytes) => sum + bytes, 0)
console.log(
  `peer: @upstash/ratelimit + @upstash/redis + iron-session:      ${kb(peerLib)}  (whole bundle ${kb(peer.total)}; ${Object.entries(
    peer.packages,
  )
    .map(([name, bytes]) => `${name} ${kb(bytes)}`)
    .join(', ')})`,
)
console.log(`ratio floodgate / peer (library bytes): ${(ours.floodgate / peerLib).toFixed(2)}x`)
report(
  'Library bytes in a minified Worker, peer / floodgate (@upstash/ratelimit + @upstash/redis + iron-session)',
  [{ label: 'rateLimit() + session() over the bridge, same job', value: peerLib / ours.floodgate }],
  [
    {
      label: 'floodgate, rateLimit() + session() over the bridge (target < 50 KB)',
      value: kb(ours.floodgate),
    },
    { label: 'floodgate, examples/cloudflare', value: kb(example.floodgate) },
    { label: '@upstash/ratelimit + @upstash/redis + iron-session', value: kb(peerLib) },
  ],
)
