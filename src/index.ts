/** floodgate: rate limiting and sessions for edge functions on self-hosted Valkey. */

export { defineScript, runScript, scriptSha } from './client/script.ts'
export type {
  Arg,
  Client,
  Command,
  Reply,
  Script,
  ScriptContext,
  ScriptTwin,
  SendOptions,
} from './client/types.ts'
export {
  ConfigError,
  FloodgateError,
  ProtocolError,
  ReplyError,
  SessionError,
  TimeoutError,
  TransportError,
} from './errors.ts'
