/**
 * Runs parsed commands upstream and builds the JSON bodies: one command (`POST /`, path style),
 * a pipeline (one upstream write, replies in order, refused items answered in place) and a
 * transaction (MULTI, the commands and EXEC leave as one contiguous batch on the pipelined
 * connection, so concurrent transactions can never nest). Scripts are rewritten on the way
 * (scripts.ts) so `@upstash/ratelimit` runs on stock Valkey with one EVALSHA per call.
 */
import { ReplyError, TimeoutError, TransportError } from '../errors.ts'
import type { Metrics } from './metrics.ts'
import type { Policy } from './policy.ts'
import { type Item, toItem, toJson } from './reply.ts'
import { jsonBody } from './reply-stream.ts'
import { BadRequest, type BridgeArg } from './request.ts'
import type { ScriptAliases } from './scripts.ts'
import type { Upstream } from './upstream.ts'
import { describeFailure, type UpstreamState } from './upstream-state.ts'
import { encodeAhead, pipelineInSlices } from './wire.ts'

export interface Executor {
  upstream: Upstream
  policy: Policy
  scripts: ScriptAliases
  metrics: Metrics
  /** Per-request upstream timeout, ms. */
  timeout: number
  /** Whether Valkey answers; logged on every change. */
  state: UpstreamState
}

/** A JSON body and its status; a large body is a stream (reply-stream.ts). */
export interface Outcome {
  status: number
  body: string | ReadableStream<Uint8Array>
}

const SCRIPTING = new Set(['EVAL', 'EVAL_RO', 'EVALSHA', 'EVALSHA_RO', 'SCRIPT'])

/**
 * Applies the script compatibility rewrites in place. Returns the client's SHA when the reply of
 * this command (a SCRIPT LOAD of a rewritten script) must be replaced by it.
 */
const rewriteScripts = async (args: BridgeArg[], scripts: ScriptAliases): Promise<string | undefined> => {
  const name = (args[0] as string).toUpperCase()
  const first = args[1]
  if (typeof first !== 'string') return undefined
  if (name === 'EVALSHA' || name === 'EVALSHA_RO') {
    args[1] = scripts.sha(first)
  } else if (name === 'EVAL' || name === 'EVAL_RO') {
    if (scripts.needsRewrite(first)) args[1] = (await scripts.rewrite(first)).script
  } else if (first.toUpperCase() === 'EXISTS') {
    for (let i = 2; i < args.length; i++) {
      const sha = args[i]
      if (typeof sha === 'string') args[i] = scripts.sha(sha)
    }
  } else if (first.toUpperCase() === 'LOAD' && typeof args[2] === 'string' && scripts.needsRewrite(args[2])) {
    const { script, clientSha } = await scripts.rewrite(args[2])
    args[2] = script
    return clientSha
  }
  return undefined
}

/** Whether the command is one rewriteScripts may touch (keeps the common path synchronous). */
const scripting = (args: BridgeArg[]): boolean =>
  typeof args[0] === 'string' && args[0].length >= 4 && SCRIPTING.has(args[0].toUpperCase())

const json = (status: number, value: unknown): Outcome => ({ status, body: jsonBody(value) })

/** Maps a failure to its status and JSON error; upstream failures are counted. */
export const failure = (error: unknown, ctx: Executor): Outcome => {
  if (error instanceof BadRequest) return json(error.status, { error: error.message })
  if (error instanceof ReplyError) {
    ctx.state.up()
    return json(400, toItem(error, false))
  }
  if (error instanceof TimeoutError) {
    ctx.metrics.upstreamError('timeout')
    return json(504, {
      error: `ERR upstream timeout: Valkey did not answer within ${ctx.timeout} ms; the command may have run`,
    })
  }
  if (error instanceof TransportError) {
    const failed = describeFailure(error)
    ctx.metrics.upstreamError(failed.kind === 'auth' ? 'auth' : 'unavailable')
    ctx.state.down(failed)
    const what = failed.kind === 'auth' ? 'authentication failed' : 'unavailable'
    return json(503, { error: `ERR upstream ${what}: ${failed.public}` })
  }
  throw error
}

/** Runs one command: 200 `{"result"}`, 400 `{"error"}` for a server error or a refusal (as Upstash). */
export const runCommand = async (
  ctx: Executor,
  args: BridgeArg[],
  readOnly: boolean,
  encode: boolean,
): Promise<Outcome> => {
  const refusal = ctx.policy(args, readOnly)
  if (refusal !== undefined) return json(400, { error: refusal })
  const clientSha = scripting(args) ? await rewriteScripts(args, ctx.scripts) : undefined
  await encodeAhead([args])
  ctx.metrics.inFlight++
  try {
    const reply = await ctx.upstream.send(args, { bytes: encode, timeout: ctx.timeout, readOnly })
    ctx.state.up()
    return json(200, { result: toJson(clientSha ?? reply, encode) })
  } catch (error) {
    return failure(error, ctx)
  } finally {
    ctx.metrics.inFlight--
  }
}

/** Runs a pipeline: items in order, each `{"result"}` or `{"error"}`, in a 200. */
export const runPipeline = async (
  ctx: Executor,
  commands: BridgeArg[][],
  readOnly: boolean,
  encode: boolean,
): Promise<Outcome> => {
  const items = new Array<Item>(commands.length)
  const send: BridgeArg[][] = []
  const sent: number[] = []
  const shas = new Map<number, string>()
  for (let i = 0; i < commands.length; i++) {
    const args = commands[i]!
    const refusal = ctx.policy(args, readOnly)
    if (refusal !== undefined) {
      items[i] = { error: refusal }
      continue
    }
    const sha = scripting(args) ? await rewriteScripts(args, ctx.scripts) : undefined
    if (sha !== undefined) shas.set(i, sha)
    send.push(args)
    sent.push(i)
  }
  if (send.length > 0) {
    await encodeAhead(send)
    ctx.metrics.inFlight += send.length
    try {
      const replies = await pipelineInSlices(ctx.upstream, send, {
        bytes: encode,
        timeout: ctx.timeout,
        readOnly,
      })
      ctx.state.up()
      for (let j = 0; j < sent.length; j++) {
        const i = sent[j]!
        items[i] = toItem(shas.get(i) ?? replies[j], encode)
      }
    } catch (error) {
      return failure(error, ctx)
    } finally {
      ctx.metrics.inFlight -= send.length
    }
  }
  return json(200, items)
}

/**
 * Runs a transaction. A refused command discards it before anything is sent (400); a command
 * Valkey rejects while queueing discards it too (400, with that command's error); errors while
 * executing are items of the 200 array, as Upstash answers them.
 */
export const runTransaction = async (
  ctx: Executor,
  commands: BridgeArg[][],
  readOnly: boolean,
  encode: boolean,
): Promise<Outcome> => {
  const shas = new Map<number, string>()
  for (let i = 0; i < commands.length; i++) {
    const refusal = ctx.policy(commands[i]!, readOnly)
    if (refusal !== undefined) {
      throw new BadRequest(400, `EXECABORT Transaction discarded: command ${i}: ${refusal}`)
    }
    const sha = scripting(commands[i]!) ? await rewriteScripts(commands[i]!, ctx.scripts) : undefined
    if (sha !== undefined) shas.set(i, sha)
  }
  const batch: BridgeArg[][] = [['MULTI'], ...commands, ['EXEC']]
  await encodeAhead(batch)
  ctx.metrics.inFlight += batch.length
  let replies: unknown[]
  try {
    replies = await ctx.upstream.pipeline(batch, { bytes: encode, timeout: ctx.timeout, readOnly })
    ctx.state.up()
  } catch (error) {
    return failure(error, ctx)
  } finally {
    ctx.metrics.inFlight -= batch.length
  }
  const exec = replies[replies.length - 1]
  if (exec instanceof ReplyError || !Array.isArray(exec)) {
    const queued = replies.findIndex((reply, i) => i > 0 && reply instanceof ReplyError)
    const message = exec instanceof ReplyError ? exec.message : 'EXECABORT Transaction discarded'
    const first = queued > 0 ? (replies[queued] as ReplyError).message : message
    const cause = first !== message ? `; command ${queued - 1}: ${first}` : ''
    return json(400, { error: `${message}${cause}` })
  }
  return json(
    200,
    exec.map((reply, i) => toItem(shas.get(i) ?? reply, encode)),
  )
}
