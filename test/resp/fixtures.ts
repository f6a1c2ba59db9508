/**
 * Wire fixtures for the decoder: every RESP2 and RESP3 type, and the value each decodes to. Shared by
 * the whole-chunk and byte-by-byte tests.
 */
import { ReplyError } from '../../src/errors.ts'
import type { Decoded } from '../../src/resp/decode.ts'

export interface Fixture {
  name: string
  wire: string | Uint8Array
  /** The top-level replies, in order. */
  replies?: Decoded[]
  /** The push frames, in order. */
  pushes?: Decoded[][]
  bytes?: boolean
}

const utf8 = new TextEncoder()

export const fixtures: Fixture[] = [
  { name: 'simple string', wire: '+OK\r\n', replies: ['OK'] },
  { name: 'empty simple string', wire: '+\r\n', replies: [''] },
  {
    name: 'simple error',
    wire: '-WRONGTYPE Operation against a key\r\n',
    replies: [new ReplyError('WRONGTYPE Operation against a key')],
  },
  { name: 'integer', wire: ':1234\r\n', replies: [1234] },
  { name: 'negative integer', wire: ':-42\r\n', replies: [-42] },
  { name: 'plus-signed integer', wire: ':+7\r\n', replies: [7] },
  { name: 'minus zero is zero', wire: ':-0\r\n', replies: [0] },
  { name: 'largest safe integer', wire: ':9007199254740991\r\n', replies: [9007199254740991] },
  {
    name: 'integer beyond 2^53 stays exact as a string',
    wire: ':9223372036854775807\r\n',
    replies: ['9223372036854775807'],
  },
  { name: 'negative 64-bit integer', wire: ':-9223372036854775808\r\n', replies: ['-9223372036854775808'] },
  { name: 'blob string', wire: '$5\r\nhello\r\n', replies: ['hello'] },
  { name: 'empty blob string', wire: '$0\r\n\r\n', replies: [''] },
  { name: 'blob string holding CRLF', wire: '$4\r\na\r\nb\r\n', replies: ['a\r\nb'] },
  { name: 'UTF-8 blob string', wire: '$11\r\nnaïve 😀\r\n', replies: ['naïve 😀'] },
  { name: 'long blob string', wire: `$200\r\n${'x'.repeat(200)}\r\n`, replies: ['x'.repeat(200)] },
  { name: 'RESP2 null blob', wire: '$-1\r\n', replies: [null] },
  { name: 'RESP2 null array', wire: '*-1\r\n', replies: [null] },
  { name: 'RESP3 null', wire: '_\r\n', replies: [null] },
  {
    name: 'binary blob as bytes',
    wire: new Uint8Array([36, 52, 13, 10, 0, 255, 13, 10, 13, 10]),
    replies: [new Uint8Array([0, 255, 13, 10])],
    bytes: true,
  },
  { name: 'array', wire: '*3\r\n:1\r\n$1\r\na\r\n+b\r\n', replies: [[1, 'a', 'b']] },
  { name: 'empty array', wire: '*0\r\n', replies: [[]] },
  { name: 'nested arrays', wire: '*2\r\n*2\r\n:1\r\n:2\r\n*1\r\n*0\r\n', replies: [[[1, 2], [[]]]] },
  {
    name: 'array holding a null and an error',
    wire: '*3\r\n$-1\r\n-ERR x\r\n:3\r\n',
    replies: [[null, new ReplyError('ERR x'), 3]],
  },
  { name: 'several replies in one chunk', wire: '+OK\r\n:1\r\n$-1\r\n', replies: ['OK', 1, null] },
  { name: 'double', wire: ',1.5\r\n', replies: ['1.5'] },
  { name: 'double infinity', wire: ',-inf\r\n', replies: ['-inf'] },
  { name: 'double with exponent', wire: ',1.23e-10\r\n', replies: ['1.23e-10'] },
  {
    name: 'big number',
    wire: '(3492890328409238509324850943850943825024385\r\n',
    replies: ['3492890328409238509324850943850943825024385'],
  },
  { name: 'boolean true and false', wire: '#t\r\n#f\r\n', replies: [1, 0] },
  {
    name: 'blob error',
    wire: '!21\r\nSYNTAX invalid syntax\r\n',
    replies: [new ReplyError('SYNTAX invalid syntax')],
  },
  { name: 'verbatim string', wire: '=15\r\ntxt:Some string\r\n', replies: ['Some string'] },
  {
    name: 'map flattens',
    wire: '%2\r\n+first\r\n:1\r\n+second\r\n:2\r\n',
    replies: [['first', 1, 'second', 2]],
  },
  { name: 'empty map', wire: '%0\r\n', replies: [[]] },
  { name: 'set', wire: '~2\r\n+a\r\n+b\r\n', replies: [['a', 'b']] },
  {
    name: 'attribute before a reply is dropped',
    wire: '|1\r\n+key-popularity\r\n%1\r\n$1\r\na\r\n,0.19\r\n*2\r\n:2039123\r\n:9543892\r\n',
    replies: [[2039123, 9543892]],
  },
  { name: 'attribute inside an array', wire: '*2\r\n:1\r\n|1\r\n+ttl\r\n:3600\r\n:2\r\n', replies: [[1, 2]] },
  {
    name: 'push frame goes to onPush',
    wire: '>3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$5\r\nhello\r\n:5\r\n',
    replies: [5],
    pushes: [['message', 'ch', 'hello']],
  },
  { name: 'empty push frame', wire: '>0\r\n', pushes: [[]] },
  { name: 'push nested in an array is an array', wire: '*1\r\n>1\r\n:1\r\n', replies: [[[1]]] },
  {
    name: 'HELLO 3 style map of mixed values',
    wire: '%2\r\n$6\r\nserver\r\n$6\r\nvalkey\r\n$5\r\nproto\r\n:3\r\n',
    replies: [['server', 'valkey', 'proto', 3]],
  },
]

export const wireBytes = (wire: string | Uint8Array): Uint8Array => {
  if (wire instanceof Uint8Array) return wire
  return utf8.encode(wire)
}
