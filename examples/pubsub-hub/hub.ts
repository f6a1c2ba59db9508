/**
 * A WebSocket chat hub that scales across processes: each process keeps its own WebSocket clients
 * and relays through Valkey pub/sub. A message sent to any process is published on
 * `hub:<room>`; every process pattern-subscribes to `hub:*` and delivers to its clients in that
 * room. After a reconnect to Valkey the clients get a `gap` notice: messages published meanwhile
 * were not delivered (pub/sub is at-most-once), so they can reload the room's history.
 */
import { createServer } from 'node:http'
import { type Client, psubscribe, publish } from 'floodgate'
import { type WebSocket, WebSocketServer } from 'ws'

export interface Hub {
  readonly url: string
  stop(): Promise<void>
}

export const startHub = async ({ client, port }: { client: Client; port: number }): Promise<Hub> => {
  const rooms = new Map<string, Set<WebSocket>>()
  const server = createServer((_req, res) => {
    res
      .writeHead(426, { 'content-type': 'text/plain' })
      .end('connect with a WebSocket: ws://host/?room=lobby\n')
  })
  const wss = new WebSocketServer({ server })
  wss.on('connection', (socket, request) => {
    const room = new URL(request.url ?? '/', 'http://hub').searchParams.get('room') ?? 'lobby'
    const members = rooms.get(room) ?? new Set()
    rooms.set(room, members.add(socket))
    socket.on('message', (data) => {
      // Published, not sent locally: this process's clients get it back through Valkey like all others.
      void publish(client, `hub:${room}`, data.toString()).catch((error: unknown) =>
        socket.send(JSON.stringify({ type: 'error', error: String(error) })),
      )
    })
    socket.on('close', () => {
      members.delete(socket)
      if (members.size === 0) rooms.delete(room)
    })
  })

  const subscription = psubscribe(client, 'hub:*', {
    onGap: (gap) => {
      const notice = JSON.stringify({ type: 'gap', reason: gap.reason })
      for (const members of rooms.values()) for (const socket of members) socket.send(notice)
    },
  })
  await subscription.ready
  void (async () => {
    for await (const { channel, message } of subscription) {
      const members = rooms.get(channel.slice('hub:'.length))
      if (!members) continue
      for (const socket of members) if (socket.readyState === socket.OPEN) socket.send(message)
    }
  })()

  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
  const address = server.address() as { port: number }
  return {
    url: `ws://127.0.0.1:${address.port}`,
    async stop() {
      await subscription.close()
      for (const socket of wss.clients) socket.terminate()
      await new Promise<void>((resolve) => wss.close(() => server.close(() => resolve())))
    },
  }
}
