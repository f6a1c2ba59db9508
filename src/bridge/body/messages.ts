/** The refusals of a request body, as clients (and the bridge's tests) have always seen them. */

/** Why a body is refused: the HTTP status and the error message. */
export interface Refusal {
  status: number
  message: string
}

const COMMAND_SHAPE = 'a command is a JSON array of strings, numbers or booleans like ["SET","k","v"]'
const PIPELINE_SHAPE = 'the body is a JSON array of commands, each an array of scalars like [["GET","k"]]'

/** A bracket deeper than a body of `depth` (1 command, 2 pipeline) may nest, at byte `at`. */
export const TOO_DEEP = (at: number, depth: number): string =>
  `ERR the body nests too deeply (at byte ${at}): ${depth === 1 ? COMMAND_SHAPE : PIPELINE_SHAPE}`

/** The whole body (`top`), or command `index` of a pipeline, is not a non-empty array. */
export const shapeMessage = (depth: number, what: 'top' | 'command', index = 0): string => {
  if (what === 'command')
    return `ERR command ${index} must be a non-empty JSON array like ["SET","key","value"]`
  return depth === 1
    ? 'ERR the command must be a non-empty JSON array like ["SET","key","value"]'
    : 'ERR the body must be a non-empty JSON array of commands like [["GET","k"]]'
}

/** More values than `--max-args` or `--max-commands` allow. */
export const tooMany = (what: string, count: number, limit: number, flag: string): Refusal => ({
  status: 413,
  message: `ERR too many ${what} in one request: ${count} (the limit is ${limit}, set by ${flag}); split it into several requests`,
})
