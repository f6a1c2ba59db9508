/**
 * Test support: the request-body parsing the streaming parser replaced (a shape scan, then
 * JSON.parse of the decoded body, then the argument checks), kept as the reference its results
 * are compared with.
 */
const QUOTE = 0x22
const BACKSLASH = 0x5c
const COMMA = 0x2c
const OPEN_ARRAY = 0x5b
const OPEN_OBJECT = 0x7b
const CLOSE_ARRAY = 0x5d
const CLOSE_OBJECT = 0x7d

interface JsonShape {
  /** Offset of the first `[` or `{` opening a level deeper than allowed, or -1. */
  tooDeepAt: number
  /**
   * `values[d]`: how many values sit directly inside the arrays (or objects) at depth `d`, so
   * `values[1]` is a command's arguments or a pipeline's commands, and `values[2]` the arguments
   * of all a pipeline's commands. An empty array counts as one: it is refused later anyway.
   */
  values: number[]
}

/**
 * Scans a UTF-8 JSON body, allowing `max` levels of nesting. Linear in its length, constant memory.
 *
 * @example
 * const bytes = new TextEncoder().encode('[["GET","k"],["PING"]]')
 * jsonShape(bytes, 3) // { tooDeepAt: -1, values: [0, 2, 3, 0] }
 */
const jsonShape = (text: Uint8Array, max: number): JsonShape => {
  const values = new Array<number>(max + 1).fill(0)
  let depth = 0
  const length = text.length
  for (let i = 0; i < length; i++) {
    const c = text[i]!
    if (c === QUOTE) {
      // Skip the string with the native search: its closing quote is the first one not escaped,
      // i.e. not preceded by an odd run of backslashes.
      for (;;) {
        const end = text.indexOf(QUOTE, i + 1)
        if (end === -1) return { tooDeepAt: -1, values }
        let slashes = 0
        while (text[end - 1 - slashes] === BACKSLASH) slashes++
        i = end
        if (slashes % 2 === 0) break
      }
    } else if (c === COMMA) {
      values[depth]!++
    } else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      if (++depth > max) return { tooDeepAt: i, values }
      values[depth]!++
    } else if ((c === CLOSE_ARRAY || c === CLOSE_OBJECT) && depth > 0) {
      depth--
    }
  }
  return { tooDeepAt: -1, values }
}

type Outcome = string[][] | { status: number; message: string }

class Refused extends Error {
  readonly status: number
  constructor(status: number, message: string) {
    super(message)
    this.status = status
  }
}

const coerce = (value: unknown, where: string): string => {
  if (typeof value === 'string') return value
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Refused(400, `ERR ${where} is not a finite number`)
    return String(value)
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false'
  const kind = value === null ? 'null' : Array.isArray(value) ? 'an array' : `an ${typeof value}`
  throw new Refused(400, `ERR ${where} is ${kind}; arguments must be JSON strings, numbers or booleans`)
}

const toCommand = (value: unknown, where: string): string[] => {
  if (!Array.isArray(value) || value.length === 0) {
    throw new Refused(400, `ERR ${where} must be a non-empty JSON array like ["SET","key","value"]`)
  }
  return value.map((arg, i) => coerce(arg, `argument ${i} of ${where}`))
}

const COMMAND_SHAPE = 'a command is a JSON array of strings, numbers or booleans like ["SET","k","v"]'
const PIPELINE_SHAPE = 'the body is a JSON array of commands, each an array of scalars like [["GET","k"]]'

const tooMany = (what: string, count: number, limit: number, flag: string) =>
  new Refused(
    413,
    `ERR too many ${what} in one request: ${count} (the limit is ${limit}, set by ${flag}); split it into several requests`,
  )

const run = (
  bytes: Uint8Array,
  depth: 1 | 2,
  limits: { maxArgs: number; maxCommands: number },
): string[][] => {
  if (bytes.length === 0) throw new Refused(400, 'ERR empty request body: expected a JSON array')
  const { tooDeepAt, values } = jsonShape(bytes, depth + 1)
  if (tooDeepAt !== -1) {
    const shape = depth === 1 ? COMMAND_SHAPE : PIPELINE_SHAPE
    throw new Refused(400, `ERR the body nests too deeply (at byte ${tooDeepAt}): ${shape}`)
  }
  const args = values[depth]! + values[depth + 1]!
  if (args > limits.maxArgs) throw tooMany('arguments', args, limits.maxArgs, '--max-args')
  if (depth === 2 && values[1]! > limits.maxCommands) {
    throw tooMany('commands', values[1]!, limits.maxCommands, '--max-commands')
  }
  let value: unknown
  try {
    value = JSON.parse(new TextDecoder().decode(bytes))
  } catch {
    throw new Refused(400, 'ERR the request body is not valid JSON')
  }
  if (depth === 1) return [toCommand(value, 'the command')]
  if (!Array.isArray(value) || value.length === 0) {
    throw new Refused(400, 'ERR the body must be a non-empty JSON array of commands like [["GET","k"]]')
  }
  return value.map((command, i) => toCommand(command, `command ${i}`))
}

/** The commands of `bytes`, or its refusal. */
export const reference = (
  bytes: Uint8Array,
  depth: 1 | 2,
  limits: { maxArgs: number; maxCommands: number },
): Outcome => {
  try {
    return run(bytes, depth, limits)
  } catch (error) {
    if (error instanceof Refused) return { status: error.status, message: error.message }
    throw error
  }
}
