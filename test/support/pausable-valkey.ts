/**
 * `withPausableValkey(body)`: a Valkey of the test's own and a TCP client already connected to it
 * (one PING answered), for a test that silences the server with `server.pause()` (SIGSTOP) and
 * checks what the caller sees meanwhile. Afterwards, pass or fail, the server is resumed, the
 * client closed and the server stopped.
 */
import { connect } from '../../adapters/node/index.ts'
import { createTcpClient, type TcpClientOptions } from '../../src/client/tcp/client.ts'
import type { Client } from '../../src/client/types.ts'
import { startValkey, type ValkeyServer } from './valkey.ts'

export const withPausableValkey = async (
  body: (server: ValkeyServer, client: Client) => Promise<void>,
  options: Partial<TcpClientOptions> = {},
): Promise<void> => {
  const server = await startValkey()
  const client = createTcpClient({ url: server.url, connect, ...options })
  try {
    await client.send(['PING'])
    await body(server, client)
  } finally {
    server.resume()
    await client.close()
    await server.stop()
  }
}
