/**
 * The example app on Deno:
 *   deno run --allow-net=127.0.0.1 --allow-env=FLOODGATE_URL,FLOODGATE_TOKEN,PORT examples/deno/main.ts
 */
import { start } from './start.ts'

const { url, stop } = start({ port: Number(Deno.env.get('PORT') ?? 8000) })
console.log(`floodgate example listening on ${url}`)
Deno.addSignalListener('SIGINT', () => stop().then(() => Deno.exit(0)))
