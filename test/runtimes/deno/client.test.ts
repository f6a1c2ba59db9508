/**
 * The client suite inside Deno, over `Deno.connect`, against the Valkey on `VALKEY_PORT`. Run by
 * `test/runtimes/client.deno.test.ts` as `deno test --allow-net=127.0.0.1 --allow-env=VALKEY_PORT`.
 */
import { connect } from '../../../adapters/deno/socket.ts'
import { createTcpClient } from '../../../src/client/tcp/client.ts'
import { Deno } from './deno.ts'
import { registerSuite } from './register-suite.ts'

// NOTE: a named variable only; `Deno.env.toObject()` fails under scoped --allow-env.
registerSuite(createTcpClient({ host: '127.0.0.1', port: Number(Deno.env.get('VALKEY_PORT')), connect }))
