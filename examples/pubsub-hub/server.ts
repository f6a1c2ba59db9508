/**
 * Runs one hub process: `FLOODGATE_URL=redis://127.0.0.1:6379 PORT=4001 npx tsx examples/pubsub-hub/server.ts`.
 * Start two on different ports behind the same Valkey; a message sent to one reaches the clients of both.
 */
import { clientFromEnv } from 'floodgate/node'
import { startHub } from './hub.ts'

const client = clientFromEnv()
const hub = await startHub({ client, port: Number(process.env.PORT ?? 4001) })
console.log(`hub listening on ${hub.url} (rooms: ${hub.url}/?room=<name>)`)

const shutdown = () => {
  void hub
    .stop()
    .then(() => client.close())
    .then(() => process.exit(0))
}
process.once('SIGINT', shutdown)
process.once('SIGTERM', shutdown)
