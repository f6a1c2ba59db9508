/** Server commands: PING, ECHO, TIME, DBSIZE, FLUSHDB. */
import { str } from './bytes.ts'
import { type CommandTable, command, word } from './command.ts'
import { OK, PONG, syntaxError, wrongArity } from './reply.ts'

export const serverCommands: CommandTable = {
  PING: command(-1, (_db, a) => {
    if (a.length > 2) throw wrongArity('ping')
    return a.length === 2 ? str(a[1]) : PONG
  }),
  ECHO: command(2, (_db, a) => str(a[1])),
  TIME: command(1, (db) => {
    const micros = Math.floor(db.now() * 1000)
    return [String(Math.floor(micros / 1e6)), String(micros % 1e6)]
  }),
  DBSIZE: command(1, (db) => db.size),
  FLUSHDB: command(-1, (db, a) => {
    if (a.length > 2 || (a.length === 2 && !['ASYNC', 'SYNC'].includes(word(a[1])))) throw syntaxError()
    db.clear()
    return OK
  }),
}
